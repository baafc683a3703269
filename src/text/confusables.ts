// Look-alike tables for the text normaliser: letters of other scripts and Latin variants that pass for
// Latin letters, and the digits and symbols of leetspeak. The source of truth for the idea is Unicode
// Technical Standard #39 (Unicode Security Mechanisms), whose confusables data maps each character to a
// "prototype" so that strings which look alike share one skeleton. This table is written by hand, not
// derived from that file: it keeps only single characters that a reader takes for one Latin letter in
// ordinary fonts, because the full data also merges pairs ("rn" with "m") and many symbols that would
// make ordinary text collide. Characters that Unicode normalisation (NFKD) already reduces to a Latin
// letter (full-width forms, mathematical alphanumerics, circled and parenthesised letters, superscripts,
// letters with diacritics) are not listed: the normaliser decomposes first and looks here afterwards.
//
// Keys are code points and are case-sensitive: a capital is listed for its own look, which can differ
// from its small letter's (Greek Η looks like H, η like n). Values are lowercase Latin letters as they
// look; the normaliser then applies its own rules to them (such as l and i sharing one skeleton letter).

type Entry = readonly [codePoint: number, latin: string];

// Cyrillic: the letters that Cyrillic and Latin share in shape, plus the common mimics of the
// lowercase forms (в like ʙ, н like ʜ, т like ᴛ, п like n, ь like b).
const cyrillic: readonly Entry[] = [
  [0x0430, 'a'], // а
  [0x0432, 'b'], // в
  [0x0433, 'r'], // г
  [0x0435, 'e'], // е
  [0x043a, 'k'], // к
  [0x043c, 'm'], // м
  [0x043d, 'h'], // н
  [0x043e, 'o'], // о
  [0x043f, 'n'], // п
  [0x0440, 'p'], // р
  [0x0441, 'c'], // с
  [0x0442, 't'], // т
  [0x0443, 'y'], // у
  [0x0445, 'x'], // х
  [0x0448, 'w'], // ш
  [0x044c, 'b'], // ь
  [0x0455, 's'], // ѕ
  [0x0456, 'i'], // і
  [0x0458, 'j'], // ј
  [0x045b, 'h'], // ћ
  [0x0461, 'w'], // ѡ
  [0x0475, 'v'], // ѵ
  [0x04ab, 'c'], // ҫ
  [0x04af, 'y'], // ү
  [0x04bb, 'h'], // һ
  [0x04bd, 'e'], // ҽ
  [0x04cf, 'l'], // ӏ
  [0x04e9, 'o'], // ө
  [0x0501, 'd'], // ԁ
  [0x051b, 'q'], // ԛ
  [0x051d, 'w'], // ԝ
  [0x0405, 's'], // Ѕ
  [0x0406, 'i'], // І
  [0x0408, 'j'], // Ј
  [0x0410, 'a'], // А
  [0x0412, 'b'], // В
  [0x0415, 'e'], // Е
  [0x041a, 'k'], // К
  [0x041c, 'm'], // М
  [0x041d, 'h'], // Н
  [0x041e, 'o'], // О
  [0x0420, 'p'], // Р
  [0x0421, 'c'], // С
  [0x0422, 't'], // Т
  [0x0423, 'y'], // У
  [0x0425, 'x'], // Х
  [0x0428, 'w'], // Ш
  [0x042c, 'b'], // Ь
  [0x0460, 'w'], // Ѡ
  [0x0474, 'v'], // Ѵ
  [0x04aa, 'c'], // Ҫ
  [0x04ae, 'y'], // Ү
  [0x04ba, 'h'], // Һ
  [0x04c0, 'l'], // Ӏ
  [0x04e8, 'o'], // Ө
  [0x0500, 'd'], // Ԁ
  [0x051a, 'q'], // Ԛ
  [0x051c, 'w'], // Ԝ
];

// Greek: capitals that are Latin capitals in shape, and small letters by what they resemble.
const greek: readonly Entry[] = [
  [0x03b1, 'a'], // α
  [0x03b2, 'b'], // β
  [0x03b3, 'y'], // γ
  [0x03b5, 'e'], // ε
  [0x03b7, 'n'], // η
  [0x03b9, 'i'], // ι
  [0x03ba, 'k'], // κ
  [0x03bc, 'u'], // μ
  [0x03bd, 'v'], // ν
  [0x03bf, 'o'], // ο
  [0x03c1, 'p'], // ρ
  [0x03c4, 't'], // τ
  [0x03c5, 'u'], // υ
  [0x03c7, 'x'], // χ
  [0x03c9, 'w'], // ω
  [0x03f2, 'c'], // ϲ
  [0x03f3, 'j'], // ϳ
  [0x037f, 'j'], // Ϳ
  [0x0391, 'a'], // Α
  [0x0392, 'b'], // Β
  [0x0395, 'e'], // Ε
  [0x0396, 'z'], // Ζ
  [0x0397, 'h'], // Η
  [0x0399, 'i'], // Ι
  [0x039a, 'k'], // Κ
  [0x039c, 'm'], // Μ
  [0x039d, 'n'], // Ν
  [0x039f, 'o'], // Ο
  [0x03a1, 'p'], // Ρ
  [0x03a4, 't'], // Τ
  [0x03a5, 'y'], // Υ
  [0x03a7, 'x'], // Χ
  [0x03f9, 'c'], // Ϲ
];

const armenian: readonly Entry[] = [
  [0x0555, 'o'], // Օ
  [0x054d, 'u'], // Ս
  [0x0570, 'h'], // հ
  [0x0578, 'n'], // ո
  [0x057d, 'u'], // ս
  [0x0581, 'g'], // ց
  [0x0585, 'o'], // օ
];

// Latin letters with strokes, hooks and ligatures that NFKD does not decompose. Their capitals are not
// listed: case folding turns them into these small letters first.
const latinVariants: readonly Entry[] = [
  [0x00e6, 'ae'], // æ
  [0x00f0, 'd'], // ð
  [0x00f8, 'o'], // ø
  [0x0111, 'd'], // đ
  [0x0127, 'h'], // ħ
  [0x0138, 'k'], // ĸ
  [0x0142, 'l'], // ł
  [0x0153, 'oe'], // œ
  [0x0167, 't'], // ŧ
  [0x0180, 'b'], // ƀ
  [0x0188, 'c'], // ƈ
  [0x0192, 'f'], // ƒ
  [0x0199, 'k'], // ƙ
  [0x01ad, 't'], // ƭ
  [0x01b4, 'y'], // ƴ
  [0x01b6, 'z'], // ƶ
  [0x01c0, 'l'], // ǀ
  [0x01c3, 'i'], // ǃ
  [0x0225, 'z'], // ȥ
  [0x0237, 'j'], // ȷ
  [0x023c, 'c'], // ȼ
  [0x0247, 'e'], // ɇ
  [0x0249, 'j'], // ɉ
  [0x024d, 'r'], // ɍ
  [0x024f, 'y'], // ɏ
  [0x0251, 'a'], // ɑ
  [0x0253, 'b'], // ɓ
  [0x0257, 'd'], // ɗ
  [0x025b, 'e'], // ɛ
  [0x0260, 'g'], // ɠ
  [0x0261, 'g'], // ɡ
  [0x0266, 'h'], // ɦ
  [0x0268, 'i'], // ɨ
  [0x0269, 'i'], // ɩ
  [0x0271, 'm'], // ɱ
  [0x0272, 'n'], // ɲ
  [0x0275, 'o'], // ɵ
  [0x027d, 'r'], // ɽ
  [0x0282, 's'], // ʂ
  [0x028b, 'v'], // ʋ
  [0x02a0, 'q'], // ʠ
];

// Small capitals, the staple of "fancy text" generators.
const smallCapitals: readonly Entry[] = [
  [0x1d00, 'a'], // ᴀ
  [0x0299, 'b'], // ʙ
  [0x1d04, 'c'], // ᴄ
  [0x1d05, 'd'], // ᴅ
  [0x1d07, 'e'], // ᴇ
  [0xa730, 'f'], // ꜰ
  [0x0262, 'g'], // ɢ
  [0x029c, 'h'], // ʜ
  [0x026a, 'i'], // ɪ
  [0x1d0a, 'j'], // ᴊ
  [0x1d0b, 'k'], // ᴋ
  [0x029f, 'l'], // ʟ
  [0x1d0d, 'm'], // ᴍ
  [0x0274, 'n'], // ɴ
  [0x1d0f, 'o'], // ᴏ
  [0x1d18, 'p'], // ᴘ
  [0xa7af, 'q'], // ꞯ
  [0x0280, 'r'], // ʀ
  [0xa731, 's'], // ꜱ
  [0x1d1b, 't'], // ᴛ
  [0x1d1c, 'u'], // ᴜ
  [0x1d20, 'v'], // ᴠ
  [0x1d21, 'w'], // ᴡ
  [0x028f, 'y'], // ʏ
  [0x1d22, 'z'], // ᴢ
];

/** Code point → the Latin letter(s) it passes for. */
export const CONFUSABLES: ReadonlyMap<number, string> = buildConfusables();

function buildConfusables(): Map<number, string> {
  const table = new Map<number, string>();
  for (const group of [cyrillic, greek, armenian, latinVariants, smallCapitals]) {
    for (const [codePoint, latin] of group) table.set(codePoint, latin);
  }
  // Negative circled (🅐) and negative squared (🅰) capitals have no decomposition; they run A to Z.
  for (const first of [0x1f150, 0x1f170]) {
    for (let letter = 0; letter < 26; letter++) table.set(first + letter, String.fromCharCode(0x61 + letter));
  }
  return table;
}

/**
 * Capitals whose small letter is listed above but which do not themselves look like a Latin letter
 * (Г is not an r, though г is): the normaliser keeps them as they are rather than fold them into a
 * look-alike.
 */
export const UNMAPPED_CAPITALS: ReadonlySet<number> = new Set([
  0x0393, // Γ
  0x03a9, // Ω
  0x0413, // Г
  0x041f, // П
  0x040b, // Ћ
  0x0540, // Հ
  0x0548, // Ո
  0x0551, // Ց
]);

/** Digits read as letters inside a word ("h4x0r"). 1 reads as i or l; the normaliser merges the two. */
export const LEET_DIGITS: ReadonlyMap<string, string> = new Map([
  ['0', 'o'],
  ['1', 'i'],
  ['3', 'e'],
  ['4', 'a'],
  ['5', 's'],
  ['7', 't'],
  ['8', 'b'],
  ['9', 'g'],
]);

/** Symbols read as letters inside a word or at its start ("k!ll", "$hit"); punctuation elsewhere. */
export const LEET_SYMBOLS: ReadonlyMap<string, string> = new Map([
  ['!', 'i'],
  ['¡', 'i'],
  ['|', 'i'],
  ['$', 's'],
  ['@', 'a'],
  ['+', 't'],
  ['€', 'e'],
  ['¢', 'c'],
]);
