// English-like prose for text benchmarks, generated from a seed so every run scans the same bytes: words of
// a hand-written vocabulary of common English drawn with Zipf-like frequencies (a few words are most of
// the text, as in real writing), sentences with capitals, commas, numbers, the odd name, curly quotes and
// dashes (so the text is not pure ASCII), and paragraphs one per line. Also pseudo-words, for term lists
// that should mostly not occur in the text, as most of a real term list does not occur in any one text.

/** Roughly in order of frequency: the first hundred or so are most of any English text. */
const WORDS = `
the of and to a in is it you that he was for on are with as I his they be at one have this from or had by
not word but what some we can out other were all there when up use your how said an each she which do their
time if will way about many then them write would like so these her long make thing see him two has look
more day could go come did number sound no most people my over know water than call first who may down side
been now find any new work part take get place made live where after back little only round man year came
show every good me give our under name very through just form sentence great think say help low line differ
turn cause much mean before move right boy old too same tell does set three want air well also play small end
put home read hand port large spell add even land here must big high such follow act why ask men change went
light kind off need house picture try us again animal point mother world near build self earth father head
stand own page should country found answer school grow study still learn plant cover food sun four between
state keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late
run while press close night real life few north open seem together next white children begin got walk example
ease paper group always music those both mark often letter until mile river car feet care second book carry
took science eat room friend began idea fish mountain stop once base hear horse cut sure watch colour face
wood main enough plain girl usual young ready above ever red list though feel talk bird soon body dog family
direct pose leave song measure door product black short numeral class wind question happen complete ship area
half rock order fire south problem piece told knew pass since top whole king space heard best hour better
true during hundred five remember step early hold west ground interest reach fast verb sing listen six table
travel less morning ten simple several vowel toward war lay against pattern slow centre love person money
serve appear road map rain rule govern pull cold notice voice unit power town fine certain fly fall lead cry
dark machine note wait plan figure star box noun field rest correct able pound done beauty drive stood
contain front teach week final gave green quick develop ocean warm free minute strong special mind behind
clear tail produce fact street inch multiply nothing course stay wheel full force blue object decide surface
deep moon island foot system busy test record boat common gold possible plane stead dry wonder laugh thousand
ago ran check game shape equate miss brought heat snow tyre bring yes distant fill east paint language among
grand ball yet wave drop heart present heavy dance engine position arm wide sail material size vary settle
speak weight general ice matter circle pair include divide syllable felt perhaps pick sudden count square
reason length represent art subject region energy hunt probable bed brother egg ride cell believe fraction
forest sit race window store summer train sleep prove lone leg exercise wall catch mount wish sky board joy
winter sat written wild instrument kept glass grass cow job edge sign visit past soft fun bright gas weather
month million bear finish happy hope flower clothe strange gone jump baby eight village meet root buy raise
solve metal whether push seven paragraph third shall held hair describe cook floor either result burn hill
safe cat century consider type law bit coast copy phrase silent tall sand soil roll temperature finger
industry value fight lie beat excite natural view sense ear else quite broke case middle kill son lake
moment scale loud spring observe child straight consonant nation dictionary milk speed method organ pay age
section dress cloud surprise quiet stone tiny climb cool design poor lot experiment bottom key iron single
stick flat twenty skin smile crease hole trade melody trip office receive row mouth exact symbol die least
trouble shout except wrote seed tone join suggest clean break lady yard rise bad blow oil blood touch grew
cent mix team wire cost lost brown wear garden equal sent choose fell fit flow fair bank collect save control
decimal gentle woman captain practice separate difficult doctor please protect noon whose locate ring
character insect caught period indicate radio spoke atom human history effect electric expect crop modern
element hit student corner party supply bone rail imagine provide agree thus capital chair danger fruit rich
thick soldier process operate guess necessary sharp wing create neighbour wash bat rather crowd corn compare
poem string bell depend meat rub tube famous dollar stream fear sight thin triangle planet hurry chief colony
clock mine tie enter major fresh search send yellow gun allow print dead spot desert suit current lift rose
continue block chart hat sell success company subtract event particular deal swim term opposite wife shoe
shoulder spread arrange camp invent cotton born determine quart nine truck noise level chance gather shop
stretch throw shine property column molecule select wrong grey repeat require broad prepare salt nose plural
anger claim continent oxygen sugar death pretty skill women season solution magnet silver thank branch match
suffix especially fig afraid huge sister steel discuss forward similar guide experience score apple bought
led pitch coat mass card band rope slip win dream evening condition feed tool total basic smell valley nor
double seat arrive master track parent shore division sheet substance favour connect post spend chord fat
glad original share station dad bread charge proper bar offer segment slave duck instant market degree
populate chick dear enemy reply drink occur support speech nature range steam motion path liquid log meant
quotient teeth shell neck
government business service policy report health market information community research education
development public private local national international political economic social financial medical legal
available important different possible likely recent current major main local central federal former future
final similar simple single specific standard strong total various whole wide young early easy free full
hard heavy human known late least likely long low military natural nice open physical poor popular positive
recent red serious short significant small special strong sure traditional true useful usual visible warm
western white wrong yesterday tomorrow today tonight already almost also although always another anyone
anything anyway anywhere around away because become becomes becoming behind below beside besides beyond
billion cannot certainly clearly despite directly during easily either else elsewhere enough entirely
especially essentially eventually everybody everyone everything everywhere exactly finally generally
hardly however immediately indeed instead itself later least less likely mainly maybe meanwhile merely
mostly nearly neither nevertheless nobody none nor normally nowhere obviously otherwise ought ourselves
outside perhaps possibly probably quickly quite rarely really recently relatively seriously simply slightly
somebody someone something sometimes somewhat somewhere soon specifically still suddenly therefore though
throughout thus together totally truly typically ultimately unless unlike until unusual upon usually whatever
whenever wherever whether whoever whole whom within without yourself themselves himself herself myself
accept according account across action activity actually address administration admit adult affect afford
agency agent agreement ahead aim alive alone along amount analysis ancient animal announce annual apply
approach appropriate argue argument army arrest article artist assume attack attempt attend attention
attitude attorney audience author authority avoid award aware bag balance bar basis bathroom battle beach
beautiful become bedroom behaviour benefit bill bitter blame blind board boss bottle brain breakfast bridge
brief budget building burden cabinet campaign cancer candidate capacity career careful carefully category
cause ceiling celebrate challenge champion channel chapter chemical chest chicken choice church cigarette
citizen civil clearly client climate coach coffee collection college combination comfort command comment
commercial commission commitment committee communication comparison competition complex computer concept
concern conference confidence conflict congress connection consequence conservative construction consumer
contact content context contract contribute conversation cook cooperation corporate cost council couple
courage court cousin crash credit crime criminal crisis criticism cultural culture customer cycle damage
data database daughter debate decade decision defence degree deliver demand democracy department
depression describe description desk destroy detail device diet difference difficulty dinner direction
director discover discussion disease distance district doctor document domestic double doubt drama drawing
driver drug earn economy editor effort election employee employer encourage enjoy environment episode
equipment error escape establish estimate evening evidence exactly examine executive exist expensive expert
explain explanation expression extend extreme facility factor failure faith familiar fashion feature federal
fee feeling fiction figure film finance finding firm fishing flight focus football foreign forget formal
fortune foundation frame freedom fuel function fund funny gallery gap garage gate gender generation gift
global goal golf governor grade grandmother growth guard guest guilty habit handle hang headline hearing
height hell hero highway hire historian holiday honour hospital host hotel household housing identity ignore
illness image impact impossible improve incident income increase independent index individual industrial
inflation influence injury inner innocent inside insurance intelligence intend interview introduce
investigation investment involve issue item jacket joint journal journey judge jury justice kitchen knee
knife labour lack ladder landscape lawyer leader leadership league leather lecture legacy lesson liberal
library licence limit link literature loan location lunch magazine maintain management manager margin
marriage meal meaning media medicine meeting member memory mental message middle migration minister
minority mission mistake mobile model moral motor movement movie murder muscle museum mystery narrative
negotiation network newspaper normal novel nurse objective obligation occasion officer official opinion
opportunity option orange organisation outcome oven owner package pain painting panel parking partner
passenger patient peace penalty pension percentage perception performance permission personality
perspective phase philosophy phone photo physician pilot pipe pleasure plenty pocket poet police politics
pollution population portrait potato poverty practical prayer preference pregnancy premium presence
president pressure price pride priest primary principle priority prison procedure profession professor
profit programme progress project promise proof proportion proposal prospect protein protest psychology
publication purchase purpose quality quarter queen radical ratio reader reality recipe recognition
recommendation recovery reduction reference reflection reform refugee regulation relation relationship
release religion remote rent replacement representative republic reputation request resident resistance
resolution resource response responsibility restaurant retirement revenue review revolution reward rhythm
risk rival romance routine salary sample satellite scandal scene schedule scheme scholar screen script
secretary security senate senior sequence session settlement shadow shelter shift shirt shock shot
signature silence sister situation slice soul source speaker species spirit sport stadium staff stage
standard statement statistics status stock stomach strategy strength stress structure style substance
suburb sugar suggestion summit survey survival suspect symptom sympathy tactic talent target task tax teacher
technique technology teenager telephone television temple tendency tennis tension territory testimony
theatre theme theory therapy threat ticket tissue title tobacco tongue topic tourist tournament tower tradition
traffic tragedy transfer transition transport treatment treaty trend trial tribe trick troop truth tunnel
uncle union universe university vacation variation vegetable vehicle venture version veteran victim
victory video violence virtue vision volume volunteer vote wage warning wealth weapon website wedding
welfare widow willing winner wisdom witness worker workshop writer youth zone
ability absence academic acceptance accident accompany accomplish accurate achieve achievement acid acquire
adapt addition additional adequate adjust adjustment admire adopt advance advanced advantage adventure
advertising advice advise advocate aggressive agricultural aircraft airline airport album alcohol alliance
allocate alter alternative amazing ambition amendment analyst angle ankle anniversary anxiety apart apparent
apparently appeal appearance application appoint appointment appreciate approval approve architect
architecture arise arrangement arrival aside aspect assault assess assessment asset assignment assist
assistance assistant associate association assumption atmosphere attach attract attractive automatic
available average awareness bacteria badly bake barrel barrier basket bean beer beginning belief belong
beneath bicycle bind biological birth birthday bite blade blanket boot border borrow bother boundary bowl
brand brave breast breath breathe brick bride briefly broadcast brush bucket bullet bunch burst butter button
cable cake calculate calm camera canal cancel candle capable capture carbon cargo carpet cash castle
casual catalogue ceremony chain chamber chaos charity charm cheap cheek cheese chemistry childhood chip
chocolate chorus circuit circumstance cite civilian classic classroom clay climate clinic closely clothes
clothing cluster coalition cognitive collapse colleague collective colourful combine comedy comfortable
commander commonly compete competitive complain complaint component compose composition comprehensive
concentrate concentration concert conclude conclusion concrete conduct confident confirm confront confusion
conscious consciousness consensus considerable consist consistent constant constitute constitution consult
consume consumption contemporary contest contrast convert convince cookie copper core corridor costume
cottage counter county courtroom crack craft crazy cream creative creature crew cricket critic critical crown
crucial cruise crystal cultivate curious curriculum curtain custom cute dairy dangerous darkness dawn deadline
debt decent decline decorate deer defeat defendant deficit definitely definition delay delicate delight
demonstrate dense deny depart departure deposit depth deputy derive deserve designer desire desperate
dessert destination destruction detect detective determination devote diamond dialogue differently digital
dignity dilemma dimension diplomat disability disappear disaster discipline discount discourse
discrimination dish dismiss disorder display dispute distinct distinguish distribute distribution diverse
diversity divorce dozen draft drag dramatic drawer drift drill dust duty eager eagle earnings earthquake
easily echo ecological edition educate educational educator efficiency efficient elbow elderly elect
electricity elegant elementary eliminate elite embrace emerge emergency emission emotion emotional emphasis
emphasise empire employ empty enable encounter endless enemy enforcement engage engineer engineering
enhance enormous enterprise entertainment enthusiasm entire entrance entry envelope equally equation
essay essence ethical ethnic evaluate evaluation evolution evolve exact exceed excellent exception
exchange excitement exciting exclusive excuse exhibit exhibition exile existence exit exotic expand
expansion expectation expedition expense experimental explode exploration explore explosion export expose
exposure extension extensive extent external extraordinary fabric facial faculty fade fairly fantasy
farmer fatal fate fault favourite fence festival fever fibre fifteen fifty filter firmly fiscal fist
flag flame flavour flee fleet flesh flexible float flood flour fluid folk following fool forever forgive
format formation fortunate forty fossil fragment framework frequency frequent frequently freshman frustrate
fulfil funding funeral furniture gaze generate generous genetic genius genre gesture ghost giant glance
glimpse globe glory glove golden gossip grab gradually graduate grain grant grasp grateful grave gravity
greatly grief grip gross guarantee guidance guideline guitar habitat hallway halt hammer happiness harbour
hardware harm harmony harvest hazard headquarters heal heaven heel helicopter helmet helpful heritage
hesitate hidden hike hint hip historic historical hockey holy honest honey hook horizon horn horror
hostile hug humour hunger hunter hypothesis ideal identical identification ideology illegal illusion
illustrate imagination immediate immigrant immigration immune implement implication imply impose impress
impression impressive incentive incorporate incredible indication infant infection inform initial
initiative inject innovation input inquiry insight insist inspection inspector inspire install instance
institution instruction insurance intellectual intense intensity intention interaction interior internal
interpret interpretation intervention intimate invasion invest investigate investor invisible invitation
invite ironic isolate isolation jazz jewellery joke journalist joy judgement juice junior jurisdiction
keen kick kid kingdom kiss knock label laboratory lamp landing lane laser laughter launch lawn layer
leaf lean leap legend legislation legitimate lemon lens liberty lifestyle lifetime limitation linear
lineup lion lip literally literary lively liver loose lord loss lover loyal luck lucky lung luxury
mainstream majority manage mandate manipulate manufacture manufacturer marine marketing mask massive
mate mathematics mature maximum mayor meantime measurement mechanical mechanism medal medium melt
membership mention menu mere merely mess metaphor meter middle midnight mild mill mineral minimum
miracle mirror mixed mixture moderate modest modify monitor monster monthly monument mood mortgage
motivation motive mountain mouse mud multiple municipal muscle musical musician mutual myth naked narrow
native navy negative neighbourhood nerve nervous nest neutral nightmare noble nod nominee nonetheless
notebook notion nuclear nut obesity obey observation observer obstacle obtain obvious occasionally
occupation occupy odd offence offensive offering online opera operator opponent oppose opposition optical
orbit orchestra organic organise orientation origin outfit outline output outstanding overall overcome
overlook owe ownership pace painful palace pale palm pan parade parish parliament participant participate
partly partnership passage passion passive pasta patience patrol pause pave peak peanut peasant peel peer
pencil pepper perceive perfectly permanent persist personally persuade pet petition phenomenon
photograph photographer phrase physically pie pile pine pink pioneer pit pizza placement planning
plastic plate platform plead pleasant pledge plot plunge poem poetry pole poll pond pop pork portion pose
possess possession postpone pot pour powder powerful praise precious precise precisely predator predict
prediction pregnant premise preparation prescription preserve presidential prevent previous previously
prey priest prime prince princess prior privacy privilege prize probe proceed producer profile profound
prohibit prominent promote prompt prone pronounce prosecutor prosperity protection protective provider
province provision psychological publicly publish publisher pump punch punish punishment pupil pursue
puzzle qualify quantity quest questionnaire quietly quote rabbit racial rage raid rally ranch random
rank rapid rapidly rare rarely rat rating raw realistic realm rebel recall receiver recession recognise
recommend recording recruit reduce referee reflect refrigerator refuse regain regard regardless regime
regional register regret regular regularly reinforce reject relate relative relatively relax relevant
reliable relief relieve religious reluctant rely remain remark remarkable remind reminder remove render
renew repair replace reportedly representation reproduce rescue research researcher resemble reservation
reserve residence residential resign resist resort respect respectively respond restore restriction
retail retain retire retreat reveal revenue reverse rib ribbon rice rid ridge rifle rip risky ritual robot
rocket romantic roof rookie rope rough roughly route royal rubber rude ruin rumour rural rush sacred
sacrifice saint sake salad sales salmon sanction satisfaction satisfy sauce scare scared scatter scenario
scent sceptic scholarship scientific scientist scope scratch scream screening sculpture seal secondary
secret sector secure seek segment seize seldom selection senator sensitive sentence separation sergeant
serial settler severe sexual shade shake shallow shame shark sheep shelf shield shine shiny shooting
shortage shortly shrug shut shy sibling sidewalk silk silly simultaneously sin sink skip skull slam slide
slight slope slot smart smoke smooth snake soak soap soccer socially sodium soft software solar sole solid
somehow sophisticated sorry sort soup southern sovereignty spark specialist specialise spectacular
spectrum speculation spell sphere spice spill spin spine spiritual split sponsor spray squad squeeze stab
stability stable stack stake stance stare statue steady steep stem stereotype stimulus stir stitch
stomach stove strain strand stranger strategic straw strictly strike striking strip stroke structural
struggle stuff stumble submit subsequent subsidy suburban succeed successful successfully sudden suffer
sufficient suicide suite sum superior supplier supporter suppose supreme surgeon surgery surround
surrounding survivor suspend sustain swallow swear sweat sweep sweet swell swing switch sword symbol
symbolic sympathetic tackle tale tank tap tape taste taxpayer tea tear teaspoon technical telescope
temporary tender tent terrain terrible terribly terrific terror terrorist testify textbook texture thanks
theft therapist thereby thesis thigh thirty thoroughly thread threaten threshold thrive throat thumb
thunder tide tight timber tiny tip tired tissue toast toe toilet tolerance tolerate toll tomato tone tooth
torture toss tough toy trace trader trail trailer transform translate translation transmission
transparent trap trash tray treasure tremendous trial tribal tribute trigger trim triumph tropical
trunk trust tube tuck tumour tune twin twist ugly unable uncertain uncertainty undergo underlying
undermine understanding unemployment unexpected unfair unfortunately unified uniform unique unite unity
universal unknown unlikely upper upset urban urge urgent usage utility utterly vaccine vague valid
valuable vanish variable variety vast vegetation verbal verdict versus vertical vessel viable vibrant
virtual virtually visual vital vitamin vocal voluntary vulnerable wagon walker wander warmth warrior
waste wealthy weave weekly weird whale wheat whisper widely widespread wilderness wildlife willow
wipe wire withdraw wolf wooden workplace worldwide worm worried worry worth wound wrap wrist yield
café naïve fiancée résumé déjà façade
`;

/** Names that appear now and then in the middle of a sentence, capitalised. */
const NAMES = `
London Paris Maria James Sarah David Amelia Oliver Tokyo Lagos Berlin Priya Mohammed Chen Sofia Lucas Emma
Noah Olivia Liam Ava Ethan Isabella Mason Zara Kenji Aisha Mateo Elena Dublin Cairo Lima Oslo Seoul Nairobi
`;

function unique(list: string): string[] {
  return [...new Set(list.split(/\s+/).filter((word) => word !== ''))];
}

/** The vocabulary of the prose: a few thousand distinct words, most frequent first. */
export const VOCABULARY: readonly string[] = unique(WORDS);
const names = unique(NAMES);

/** A small, fast seeded generator (xorshift32): the same seed gives the same text on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e37_79b9;
  }

  /** A uniform integer in [0, 2^32). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** A uniform integer in [0, limit). */
  below(limit: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * limit);
  }

  /** A rank in [0, size) with probability roughly proportional to 1 / (rank + 1), as word counts are. */
  zipf(size: number): number {
    return Math.floor(Math.exp((this.next() / 0x1_0000_0000) * Math.log(size + 1))) - 1;
  }
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** One sentence: 4–19 words, capitalised, with commas, the odd number, name, dash or quotation. */
function sentence(random: Random): string {
  const count = 4 + random.below(16);
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    const roll = random.below(200);
    let word: string;
    if (roll < 2) word = String(1 + random.below(random.below(2) === 0 ? 100 : 2100));
    else if (roll < 5) word = names[random.below(names.length)] ?? 'London';
    else word = VOCABULARY[random.zipf(VOCABULARY.length)] ?? 'the';
    if (index === 0) word = capitalise(word);
    else if (roll === 5) words.push('—');
    if (index < count - 1 && random.below(12) === 0) word += ',';
    words.push(word);
  }
  const roll = random.below(40);
  const text = words.join(' ') + (roll < 4 ? '?' : roll < 6 ? '!' : roll < 7 ? '…' : '.');
  return random.below(30) === 0 ? `“${text}”` : text;
}

/**
 * About `bytes` bytes (UTF-8) of prose, one paragraph of 2–9 sentences per line. The text is mostly
 * ASCII, with curly quotes, dashes and accented words as real prose has.
 */
export function prose(bytes: number, seed: number): string {
  const random = new Random(seed);
  const paragraphs: string[] = [];
  let size = 0;
  while (size < bytes) {
    const sentences: string[] = [];
    const count = 2 + random.below(8);
    for (let index = 0; index < count; index++) sentences.push(sentence(random));
    const paragraph = sentences.join(' ') + '\n';
    paragraphs.push(paragraph);
    size += Buffer.byteLength(paragraph);
  }
  return paragraphs.join('');
}

const ONSETS = ['b', 'br', 'c', 'ch', 'cl', 'd', 'dr', 'f', 'fl', 'g', 'gr', 'h', 'j', 'k', 'l', 'm', 'n'];
const MORE_ONSETS = ['p', 'pl', 'qu', 'r', 's', 'sh', 'sk', 'sl', 'st', 't', 'th', 'tr', 'v', 'w', 'z'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ee', 'oo', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'ck', 'nd', 'ng', 'rt', 'sh', 'x', 'm'];

/** Pronounceable made-up words of two to four syllables, distinct and not in `exclude`. */
export function pseudoWords(count: number, seed: number, exclude: ReadonlySet<string>): string[] {
  const random = new Random(seed);
  const onsets = [...ONSETS, ...MORE_ONSETS];
  const pick = (list: readonly string[]): string => list[random.below(list.length)] ?? '';
  const found = new Set<string>();
  while (found.size < count) {
    let word = '';
    const syllables = 2 + random.below(3);
    for (let index = 0; index < syllables; index++) word += pick(onsets) + pick(NUCLEI) + pick(CODAS);
    if (!exclude.has(word)) found.add(word);
  }
  return [...found];
}
