// The vocabulary of the benign corpus (benign-corpus.ts): everyday English by part of speech and topic,
// written for Warden's tests. It deliberately includes ordinary words and place names that contain
// short offensive-looking strings (Scunthorpe, assassin, class, grape, therapist, cocktail, analysis,
// Essex, Dickens, shiitake, Penistone, hello, document, skill, title, circumstances, passage…), because
// those are what trips substring matching in real term lists. Multi-word entries use "_" for a space.

function words(text: string): readonly string[] {
  return text
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => word.replace(/_/g, ' '));
}

export const nouns = words(`
  account achievement acre action activity address adult advice afternoon age agency agreement airport
  album alarm allowance ambassador ambition amount analysis analyst anchor angle animal anniversary answer
  apartment appetite apple application appointment approach apricot archive area argument arm army arrival
  article artist assessment assistant assumption atmosphere attempt attention attic audience author autumn
  avenue award baby background badge baker bakery balance balcony ball ballot band bank banner bargain
  barn barrel basket bath battery beach bean bear beard bedroom bee beginning behaviour belief bell belt
  bench berry bicycle bill biscuit blanket block blossom board boat body boiler bone bonus book bookcase
  boot border bottle bowl box bracket branch brand bread breakfast breeze brick bridge brush bucket budget
  building bulb bumblebee bundle burden bus bush business butter button cabin cabinet cable cafe cake
  calendar camera campaign canal candidate candle canoe canvas capital captain car caravan card career
  carpet carriage carrot castle catalogue category cathedral ceiling celebration cellar census century
  ceremony chain chair chairman challenge champion chance channel chapter character charity chart cheese
  chemist cheque chest chimney chocolate choice choir church cinema circle circumstance circumstances
  citizen city claim class classic classroom clerk client cliff climate clinic clock cloth cloud club
  coach coast coat coffee coin collar colleague collection college colour column comedy comfort command
  comment committee community company comparison competition complaint computer concert condition
  conference confidence connection constitution contract conversation cook cookie corner cottage council
  counter country county couple courage course court cousin cover craft crew cricket crowd crown cupboard
  curtain cushion customer cycle dairy damage dance danger daughter deadline debate decade decision degree
  delivery department deposit desert design desk detail development diagram diary dictionary difference
  digit dinner direction director discount discovery discussion dish distance district document donkey
  door drawer drawing dream dress drink driver drum duck dust duty eagle earth economy edition editor
  education effect effort egg election electricity elephant embassy emergency employee energy engine
  engineer entrance envelope environment episode equipment estate evening event evidence examination
  example exercise exhibition expert explanation factory family farm farmer fashion feather feature fee
  fence ferry festival field figure film finger fireplace fish flag flat flight floor flower folder forest
  fork fortune fountain fox frame freedom freezer friend fridge frog fruit funeral furniture future galaxy
  gallery game garage garden gate generation gift giraffe glass glove goal goat government grain
  grandfather grandmother grape grass greeting grocer ground group guest guide guitar habit hairdresser
  hall hammer handle harbour harvest hat headline health heart hedge height helicopter helmet heritage hill
  history hobby holiday honey horizon horse hospital hotel hour household humour hurricane husband idea
  illness image income industry information ingredient insect institute instruction instrument insurance
  interest interview invitation island jacket jar jewel journal journey judge juice jumper kettle key
  kitchen kite knee knife label laboratory ladder lake lamp landscape language laptop lawn lawyer leader
  leaf lecture ledge legend lemon lesson letter library licence lighthouse lime line lion list litre loaf
  lobby location lock lorry luggage lunch machine magazine magnet manager map market marriage match meadow
  meal measure medal medicine meeting member memory menu message metal method microwave midnight minister
  minute mirror mission mixture model moment monkey month monument morning motor mountain mouse museum
  music nation nature neighbour nephew nest network newspaper niece noise note notebook novel number nurse
  oak object ocean office onion opinion orange orchard orchestra organisation oven owner owl package page
  painting palace pan paper parade parcel parent park parliament partner party passage passenger passion
  passport path patient pattern pavement payment peacock pear pebble pen pencil penguin pension pepper
  performance permission person petition phone photograph piano picnic picture pie pillow pilot pitch
  planet plant plate platform player pocket poem poet police policy pond pool population porch port
  portrait post postcard pot potato pottery powder practice presentation president price prince princess
  printer prize problem process producer profession professor programme project promise property proposal
  pub public pudding pupil puppy purpose puzzle quality quarter queen question queue rabbit race radio
  railway rain rainbow reader receipt recipe record region relative reply report reporter request research
  resident resource restaurant result review rhythm ribbon rice river road robot roof room root rope rose
  route ruler sailor salad salary sale salt sample sand sandwich satellite sauce saucepan scarf scene
  schedule scheme school science scientist score screen sculpture season seat secretary section seed
  series service session settlement shadow shampoo shape sheep shelf shell shellfish shelter shirt shoe
  shop shoulder shower signal silence silver singer sister skill skillet sky skyscraper sleeve slice slope
  snack snow soap society sock sofa soil soldier solution song soup source space speaker speech spider
  spirit spoon sport spring square squirrel stadium staff stage staircase stamp standard star station
  statue steam step stomach stone storm story stove strategy stream street strength student studio
  subject success sugar suggestion suitcase summer sun supermarket supper supply surface surgeon survey
  sweater table tablet tail talent tank tap task taxi tea teacher team teapot telescope temperature temple
  tennis tent term terrace territory textbook theatre theory therapist thunder ticket tide tiger timber
  timetable title toast toilet tomato tongue tool toothbrush topic tortoise tour towel tower town toy
  track tractor trade tradition traffic train tram treasure treatment tree trial trip trophy trouble
  trousers truck trumpet tunnel turtle umbrella uncle uniform union university valley van vegetable
  vehicle version vet victory video view village violin visitor voice volunteer voyage wagon waiter wall
  wallet war wardrobe warehouse watch waterfall wave wealth weather website wedding week weekend whale
  wheel whistle window wine winner winter wire witness wolf woman wood wool workshop world writer yard
  year yoghurt zebra zone
`);

export const adjectives = words(`
  able absent academic accurate active actual additional adequate advanced afraid aggressive alert alive
  amazing ambitious ancient angry annual anxious apparent appropriate arctic artistic ashamed asleep
  attractive automatic available average awake aware awful bad basic beautiful bitter blank bold boring
  brave brief bright brilliant broad brown busy calm capable careful casual central certain cheap cheerful
  chief chilly civil classic clean clear clever close cloudy coastal cold colourful comfortable common
  competitive complete complex confident conscious considerable constant content convenient cool correct
  cosy crazy creative crisp critical crowded crucial cultural curious current cute daily damp dangerous
  dark dear decent deep definite delicate delicious democratic dense different difficult digital direct
  dirty distant domestic double dramatic dry due dull dusty eager early eastern easy economic educational
  effective efficient elderly electric electronic elegant eligible emotional empty endless enormous entire
  environmental equal essential eventual evident exact excellent excited exciting existing expensive
  experienced expert external extra extraordinary fair faithful familiar famous fancy fantastic far fast
  favourite federal fierce final financial fine firm fit flat flexible fluffy foggy foreign formal former
  fortunate free frequent fresh friendly frosty frozen full funny gentle genuine giant glad global golden
  good gorgeous graceful gradual grand grateful great green grey gross guilty handsome handy happy hard
  harmful healthy heavy helpful hidden high historic historical holy honest hopeful horizontal hot huge
  humble humid hungry icy ideal identical illegal immediate immense important impossible impressive
  independent individual industrial informal initial inner innocent intelligent interesting internal
  international invisible irrelevant joint junior keen kind large late lazy leading legal legitimate
  level liberal light likely limited little lively local logical lonely long loose loud lovely low loyal
  lucky magnificent main major male marvellous massive mature maximum mean medical medium mental mere
  mild military minimum minor misty mobile modern modest moral muddy musical mutual narrow national
  native natural nearby neat necessary negative nervous new nice noble noisy normal northern notable
  numerous obvious occasional odd official old olympic open opposite optimistic oral orange ordinary
  organic original outdoor outer overall painful pale parallel particular passive patient peaceful
  perfect permanent personal physical plain pleasant plenty polite political poor popular portable
  positive possible powerful practical precious precise pregnant present pretty previous primary private
  probable productive professional profitable prominent proper proud public pure purple quick quiet
  rainy rapid rare raw ready real reasonable recent regional regular relaxed relevant reliable remarkable
  remote responsible rich right rigid romantic rough round royal rural sad safe salty satisfied scared
  scientific seasonal secondary secret secure senior sensible sensitive separate serious severe shallow
  sharp short shy significant silent silly similar simple sincere single slight slim slow small smart
  smooth snowy social soft solid sophisticated sour southern spare special specific spicy splendid
  stable steady steep sticky stiff still strange strict striking strong stunning substantial subtle
  successful sudden sufficient suitable sunny super superb superior sure surprised sweet swift
  sympathetic talented tall tasty technical temporary tender terrible thick thin thirsty thorough tidy
  tight tiny tired total tough traditional tremendous tropical true typical ugly ultimate unable unaware
  unexpected unfair unhappy unique united unknown unlikely unusual upper upset urban urgent useful usual
  vacant valid valuable various vast verbal vertical vibrant visible visual vital vivid warm weak wealthy
  weekly weird welcome western wet whole wide wild windy wise wonderful wooden woollen worried worthy
  young
`);

export const adverbs = words(`
  abroad absolutely actually almost already also altogether always annually anyway apparently approximately
  barely briefly broadly calmly carefully casually certainly cheerfully clearly closely comfortably
  completely constantly correctly currently daily deeply definitely deliberately directly easily
  effectively elsewhere entirely equally especially essentially eventually exactly extremely fairly
  finally firmly formally fortunately frankly freely frequently fully generally gently genuinely gradually
  greatly happily hardly heavily highly honestly hopefully immediately importantly increasingly
  indeed initially largely lately later likewise literally locally loudly luckily mainly merely mostly
  namely naturally nearly neatly normally notably obviously occasionally officially often openly
  originally otherwise partly patiently perfectly perhaps personally physically politely possibly
  precisely presumably previously primarily privately probably promptly properly publicly quickly quietly
  rapidly rarely readily really recently regularly relatively reluctantly remarkably repeatedly roughly
  sadly safely seldom seriously sharply shortly significantly silently simply sincerely slightly slowly
  smoothly softly solely sometimes soon specifically steadily still strictly strongly subsequently
  successfully suddenly supposedly surely swiftly thoroughly tightly today together tomorrow totally
  truly typically ultimately unexpectedly usually virtually warmly weekly widely wisely yesterday
`);

/** Past tense, for narrative and news. */
export const pastVerbs = words(`
  accepted achieved added admired admitted adopted advised agreed allowed announced answered appeared
  applied appointed approved argued arranged arrived asked assessed assisted assumed attended avoided
  baked believed belonged borrowed bought brought built calculated called cancelled carried caught
  celebrated changed chose cleaned climbed closed collected combined completed confirmed considered
  contacted continued cooked copied counted covered created crossed danced decided declared delivered
  described designed developed discovered discussed displayed divided documented donated drew drove
  earned edited elected emptied encouraged enjoyed entered escaped estimated examined expanded expected
  explained explored extended faced fed filled finished fixed followed forgot found gathered grew guessed
  handled helped hired hoped identified ignored imagined improved included increased informed inspected
  installed interviewed introduced invented invited joined judged kept knew launched learned left lent
  lifted listened lived located looked made managed marked measured met missed mixed moved named needed
  noticed observed obtained offered opened ordered organised owned packed painted parked passed paused
  performed photographed picked planned planted played pointed polished posted poured practised praised
  predicted prepared presented printed produced promised protected proved provided published pulled
  pushed qualified questioned raised reached read realised received recommended recorded reduced
  refused registered rejected released remembered removed repaired replaced replied reported requested
  rescued researched reserved returned revealed reviewed rode sailed sang saved scored searched selected
  sent served settled shared shipped showed signed skipped smiled solved sorted spent spoke started
  stayed stirred stopped stored studied suggested supplied supported surveyed swam taught tested thanked
  thought tidied toured trained travelled treated tried turned typed understood updated used visited
  waited walked wanted warned washed watched welcomed wished won wondered worked wrapped wrote
`);

/** Base forms, after "will", "to", "could" and in advice. */
export const baseVerbs = words(`
  accept add admire agree allow answer appear arrange arrive ask avoid bake believe borrow bring build
  buy call carry catch celebrate change check choose clean climb close collect compare complete consider
  continue cook count cover create cross dance decide deliver describe design develop discover discuss
  draw drive earn enjoy enter examine explain explore find finish fix follow gather grow help imagine
  improve include invite join keep learn leave lend listen live look make manage measure meet mix move
  notice observe offer open order organise pack paint pass plan plant play post practise prepare present
  print protect provide publish read receive recommend record reduce remember repair replace reply report
  rest return review ride sail save search see send serve share show sing sit sleep smile solve sort
  spend start stay stop study suggest support swim talk teach test think tidy travel try understand
  visit wait walk wash watch win wonder work write
`);

export const firstNames = words(`
  Aaron Abigail Adam Adrian Aisha Alan Albert Alex Alexander Alice Alison Amanda Amelia Amir Amy Andrew
  Angela Anna Anne Anthony Archie Arthur Ava Barbara Beatrice Ben Bernard Beth Bill Bob Bradley Brenda
  Brian Bruce Caitlin Callum Cameron Carl Carlos Caroline Catherine Charles Charlie Charlotte Chen Chloe
  Chris Christine Clara Claire Colin Connor Craig Daisy Daniel David Deborah Dennis Derek Diana Dominic
  Donald Dorothy Douglas Duncan Edward Eleanor Elena Elijah Elizabeth Ella Ellie Emily Emma Eric Ethan
  Eva Evelyn Fatima Felix Fiona Florence Frances Francis Frank Freddie Gareth Gavin George Georgia
  Gerald Gillian Grace Graham Hannah Harold Harriet Harry Hassan Hazel Heather Helen Henry Holly Hugh
  Ian Imogen Isaac Isabel Isla Ivan Jack Jacob James Jamie Jane Janet Jasmine Jason Jean Jennifer Jeremy
  Jessica Joan Joanna John Jonathan Joseph Joshua Joyce Judith Julia Julian Kate Katherine Keith Kenneth
  Kevin Kieran Laura Lauren Leo Leon Lily Linda Lisa Liam Lucy Luke Lydia Maisie Malcolm Margaret Maria
  Marie Mark Martha Martin Mary Matthew Maya Megan Melissa Michael Michelle Mohammed Molly Nadia Naomi
  Natalie Nathan Neil Nicholas Nicola Nina Noah Oliver Olivia Omar Oscar Owen Pamela Patricia Patrick
  Paul Pauline Peter Philip Phoebe Poppy Priya Rachel Raj Ravi Rebecca Richard Robert Rosa Rose Ruby
  Rupert Ruth Ryan Sally Samuel Sandra Sarah Scott Sean Sebastian Shirley Simon Sofia Sophie Stanley
  Stella Stephen Steven Stuart Susan Theo Thomas Timothy Toby Tom Tony Trevor Valerie Vanessa Victor
  Victoria Vincent Walter William Yasmin Yusuf Zara Zoe Zoë
`);

export const surnames = words(`
  Abbott Adams Ahmed Ali Allen Anderson Armstrong Atkinson Bailey Baker Ball Banks Barker Barnes Bell
  Bennett Berry Bishop Black Blake Booth Bradley Brooks Brown Burton Butler Campbell Carter Chapman Clark
  Clarke Cole Collins Cook Cooper Cox Cross Davies Davis Dawson Dickens Dickinson Dixon Doyle Duncan
  Edwards Elliott Ellis Evans Fisher Fleming Fletcher Ford Foster Fox Francis Fraser Gardner Gibson
  Graham Grant Gray Green Griffiths Hall Hamilton Hancock Harper Harris Harrison Hart Harvey Hawkins
  Hayes Henderson Hill Holmes Hopkins Howard Hughes Hunt Hunter Jackson James Jenkins Johnson Jones Kaur
  Kelly Kennedy Khan King Knight Lambert Lane Lawrence Lee Lewis Lloyd Marshall Martin Mason Matthews
  Miller Mills Mitchell Moore Morgan Morris Murphy Murray Nelson Newman Nicholson Owen Palmer Parker
  Patel Pearce Pearson Perry Phillips Porter Powell Pratt Price Reid Reynolds Richards Roberts Robinson
  Rogers Rose Ross Russell Ryan Saunders Scott Shah Sharp Shaw Simpson Singh Smith Spencer Stevens
  Stewart Stone Sutton Taylor Thomas Thompson Turner Walker Wallace Ward Watson Webb Wells West White
  Wilkinson Williams Wilson Wood Woodcock Wright Young
`);

/** Towns, counties and places, with the ones famous for tripping filters. */
export const places = words(`
  Aberdeen Bath Bedford Belfast Birmingham Blackpool Bolton Bournemouth Bradford Brighton Bristol
  Cambridge Canterbury Cardiff Carlisle Chester Chichester Clitheroe Cockermouth Cockfosters Colchester
  Coventry Crapstone Cumbernauld Cumbria Derby Dorking Dorset Dover Dundee Durham Edinburgh Essex Exeter
  Glasgow Gloucester Hastings Hereford Huddersfield Hull Inverness Ipswich Kendal Kent Lancaster Leeds
  Leicester Lightwater Lincoln Liverpool Llandudno London Manchester Middlesbrough Middlesex Newcastle
  Northampton Norwich Nottingham Oxford Penistone Penzance Perth Peterborough Plymouth Portsmouth Preston
  Reading Salisbury Scunthorpe Sexhow Sheffield Shitterton Shrewsbury Southampton Stirling Sunderland
  Sussex Swansea Swindon Titchfield Truro Twatt Wakefield Wessex Wetwang Winchester Windsor Worcester
  York Amsterdam Athens Barcelona Berlin Bern Brussels Budapest Cairo Copenhagen Dublin Florence Geneva
  Hamburg Helsinki Istanbul Kyoto Lagos Lisbon Lyon Madrid Málaga Marseille Melbourne Milan Montreal
  Mumbai Munich Nairobi Naples Oslo Paris Prague Reykjavik Rome Seville Stockholm Sydney Tokyo Toronto
  Valencia Venice Vienna Warsaw Wellington Zürich São_Paulo New_York Cape_Town
`);

export const sportsTeams = words(`
  Arsenal Chelsea Everton Fulham Liverpool Brentford Burnley Leeds_United Aston_Villa Newcastle_United
  Essex Sussex Middlesex Surrey Kent Lancashire Yorkshire Hampshire Somerset Durham Glamorgan
  Gloucestershire Leicestershire Warwickshire Worcestershire Derbyshire Nottinghamshire
  Scunthorpe_United Penistone_Church Bath_Rugby Saracens Harlequins Wasps Leicester_Tigers
  the_Lions the_Falcons the_Rovers the_Wanderers the_Harriers the_Vikings
`);

export const sports = words(`
  football cricket rugby tennis hockey netball golf athletics cycling rowing swimming sailing badminton
  squash boxing bowls snooker darts basketball volleyball marathon triathlon
`);

export const sportNouns = words(`
  match fixture final semi-final league season goal try wicket innings over penalty corner free-kick
  header volley rally serve set tie-break lap sprint relay stroke putt hole birdie referee umpire
  captain coach striker midfielder goalkeeper bowler batsman fly-half winger substitute squad crowd
  stadium pitch court course track scoreboard trophy medal title cup championship tournament derby
`);

export const foods = words(`
  apple apricot asparagus aubergine avocado bacon banana basil bass beef beetroot blackberry blueberry
  broccoli butter butternut_squash cabbage carrot cashew cassava cauliflower celery cheddar cherry
  chickpea chicken chilli chives chocolate cinnamon coconut cod coriander courgette couscous cream
  cucumber cumin custard dill fennel feta garlic ginger grape grapefruit haddock hazelnut honey kale
  lamb leek lemon lentil lettuce lime mackerel mango maple_syrup mint molasses mozzarella mushroom
  mussel mustard noodle nutmeg oat olive onion orange oregano paprika parmesan parsley parsnip pasta
  peach peanut pear pea pepper pineapple plum pomegranate pork potato prawn pumpkin quinoa radish
  raisin rapeseed_oil raspberry rhubarb rice rocket rosemary saffron sage salmon sardine sausage
  scallop sea_bass sesame shallot shiitake spinach sponge squash strawberry sugar sultana sweetcorn
  sweet_potato thyme tofu tomato trout tuna turmeric turnip vanilla vinegar walnut watercress yoghurt
`);

export const dishes = words(`
  apple_crumble banana_bread beef_stew carrot_cake cheese_scones chicken_curry chocolate_brownies
  cottage_pie cocktail_sausages fish_pie fruit_salad grape_and_feta_salad leek_soup lemon_drizzle
  lentil_dhal massaman_curry mushroom_risotto pancakes pea_soup pumpkin_soup roast_chicken
  shiitake_stir-fry shepherd's_pie sponge_pudding strawberry_jam summer_pudding tomato_sauce
  vegetable_lasagne cucumber_sandwiches rhubarb_crumble gingerbread
`);

export const cookingVerbs = words(`
  add bake beat blend boil chop combine cool cover dice drain drizzle fold fry grate grill heat knead
  marinate mash melt mix peel pour preheat roast rinse season serve simmer slice sprinkle steam stir
  strain toast toss whisk
`);

export const measures = words(`
  a_pinch_of a_handful_of two_tablespoons_of a_teaspoon_of half_a_cup_of 200_grams_of 100_millilitres_of
  a_splash_of three_cloves_of a_generous_amount_of a_little
`);

export const weatherNouns = words(`
  rain showers drizzle sunshine cloud fog mist frost snow sleet hail thunderstorms gales wind breeze
  heatwave cumulus_clouds cumulonimbus high_pressure low_pressure a_cold_front a_warm_front sunny_spells
  bright_intervals
`);

export const scienceNouns = words(`
  analysis hypothesis experiment specimen sample molecule atom cell protein enzyme gene genome bacteria
  virus vaccine fossil mineral crystal galaxy nebula comet asteroid orbit telescope microscope laboratory
  spectrum wavelength particle magnet circuit battery reactor titanium carbon oxygen nitrogen hydrogen
  sextant compass glacier volcano earthquake tide ecosystem species habitat algorithm dataset theorem
  equation classification assay catalyst
`);

export const fields = words(`
  astronomy biology botany chemistry climate_science ecology economics engineering genetics geology
  linguistics marine_biology mathematics medicine neuroscience oceanography physics psychology zoology
`);

export const organisations = words(`
  the_council the_museum the_university the_library the_hospital_trust the_charity the_committee
  the_railway_company the_water_board the_parish_council the_orchestra the_sailing_club the_choir
  the_chamber_of_commerce the_residents'_association the_allotment_society the_bus_company
`);

export const days = words('Monday Tuesday Wednesday Thursday Friday Saturday Sunday');

export const months = words(
  'January February March April May June July August September October November December',
);

/** Short things people say, for conversation. */
export const greetings = words(`
  Hello Hi Good_morning Good_afternoon Good_evening Morning Hey_there Hello_again Nice_to_see_you
`);

export const replies = words(`
  Sounds_good That_works_for_me Of_course No_problem I_think_so Not_really Maybe_later Fair_enough
  I_am_not_sure Absolutely Why_not Let_me_check Thanks_a_lot That_is_lovely I_hope_so
`);

/** People in stories, including the professions whose names hide short words (therapist, analyst). */
export const roles = words(`
  therapist analyst assistant ambassador teacher engineer doctor nurse scientist farmer baker pilot
  clerk editor reporter surgeon chemist librarian gardener plumber electrician architect accountant
  mechanic pharmacist paramedic firefighter journalist historian novelist photographer carpenter
  translator receptionist shopkeeper postman headteacher councillor curator
`);

export const textures = words('soft golden tender crisp fragrant glossy thick smooth bubbling caramelised');
