//! The one way names are folded for comparing: a slug (`domain::slugify`), a `q` search
//! (`service::listing::fold`) and the gazetteer's names (`import::geocode::names::normalize`)
//! all start from [`fold_words`], so "Hawaiʻi", "Hawai'i" and "HAWAII" agree everywhere.

/// Lower-case ASCII words separated by single spaces: letters lose their diacritics (`ñ`
/// is `n`, `æ` is `ae`, `ß` is `ss`), apostrophes join their word ("Sheriff's", "Hawaiʻi"),
/// and anything else that is not a letter or digit separates words.
pub fn fold_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    // `q` searches fold every record's name they test: no allocation per character.
    let mut ascii = [0u8; 4];
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_apostrophe(c) {
            continue;
        }
        let letters = if c.is_ascii_alphanumeric() {
            Some(&*c.encode_utf8(&mut ascii))
        } else {
            fold_diacritic(c)
        };
        match letters {
            Some(l) => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push_str(l);
            }
            None => gap = true,
        }
    }
    out
}

/// Marks that join the letters around them rather than separate words: the ASCII
/// apostrophe, the typographic ones, the backtick, and the Hawaiian ʻokina with the
/// modifier apostrophe that stands in for it.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{02bb}' | '\u{02bc}'
    )
}

/// A lower-case letter with a diacritic (or a ligature) as plain ASCII letters.
fn fold_diacritic(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ġ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ŭ' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::fold_words;

    #[test]
    fn names_fold_to_plain_words() {
        for (text, folded) in [
            (
                "Greenfield Police Department",
                "greenfield police department",
            ),
            ("Sheriff’s Office, St. Mary", "sheriffs office st mary"),
            ("Cañon City  P.D.", "canon city p d"),
            ("CAÑON CITY", "canon city"),
            ("Hawaiʻi County", "hawaii county"),
            ("Hawai'i County", "hawaii county"),
            ("Līhu‘e", "lihue"),
            ("Ærø–Straße", "aero strasse"),
            ("  --  ", ""),
            ("\u{200b}Zero\u{200b}width", "zero width"),
        ] {
            assert_eq!(fold_words(text), folded, "{text}");
        }
    }
}
