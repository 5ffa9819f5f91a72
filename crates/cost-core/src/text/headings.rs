//! Chapter headings: which paragraphs are headings, of what rank, and where chapters start.
//!
//! # Plain text
//!
//! A paragraph is a heading when it has at most 3 lines and 400 bytes, its first line at
//! most 100 characters, and that line, after leading `[ ( _ * #` and spaces, is:
//!
//! - a keyword, `Chapter`/`CHAPTER` (any of: capitalized, upper case), `Chap.`, `Stave`,
//!   `Letter` (chapter rank), or `Book`, `Part`, `Volume`, `Vol.` (part rank);
//! - then a number: Arabic (`12`), Roman (`XLII`, `xlii`; canonical numerals only, so
//!   `Chapter Mix` is not one), a number word (`ONE` … `NINETY-NINE`), or an ordinal with
//!   an optional `the` (`BOOK THE FIRST`, `Part Second`);
//! - then nothing, or punctuation (`.`, `:`, `;`, `,`, `-`, `–`, `—`, `]`, `)`), or a title in
//!   capitals (`CHAPTER 1 THE BEGINNING`). A lowercase word after the number (`Chapter I
//!   was reading`) makes it prose, not a heading.
//!
//! `Prologue` and `Epilogue` alone (or followed by punctuation) are headings of chapter rank.
//!
//! # Markdown
//!
//! ATX headings (`#` to `######`, then a space) and two-line setext headings (a line
//! underlined with `===` or `---`). Keyword headings are not used when Markdown headings
//! exist. The chapter rank is the most frequent level among headings that read like
//! chapters (`## Chapter 3`), else the shallowest level used at least twice, else the
//! shallowest level.
//!
//! # Where chapters start
//!
//! 1. A run of consecutive heading paragraphs (no other paragraph between them) in which a
//!    rank repeats is a table of contents: none of them starts a chapter, up to the first
//!    that repeats the run's first title (`CHAPTER I` … `CHAPTER X`, then the text's own
//!    `CHAPTER I`), from which on they are the text's headings.
//! 2. In plain text the chapter rank is the chapter keywords' if any remain, else the part
//!    keywords'. Headings of deeper rank are ignored.
//! 3. Each heading of chapter rank starts a chapter, except that a heading of higher rank
//!    (`BOOK ONE`) starts the next chapter itself and the chapter heading after it joins
//!    that chapter (`BOOK ONE` + `CHAPTER I` is one chapter). Titles join with ` / `. A
//!    higher-rank heading that is the only one of its rank and comes before the first
//!    chapter is the book's title (`# Pride and Prejudice`) and stays in the front matter.

/// A paragraph that is a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    /// Its paragraph's index.
    pub paragraph: usize,
    /// 1 is the highest (parts, `#`); larger is deeper.
    pub rank: u8,
    /// Whether its text starts with a chapter keyword (`Chapter 3`, `Epilogue`).
    pub chapter_word: bool,
    /// Its text, without markup.
    pub title: String,
}

/// Where a chapter starts, and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Start {
    pub paragraph: usize,
    pub title: String,
}

/// Whether `line` is an ATX heading (`## Title`): its level.
pub(crate) fn atx_level(line: &str) -> Option<u8> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[hashes..];
    ((1..=6).contains(&hashes) && rest.starts_with([' ', '\t']) && !rest.trim().is_empty())
        .then_some(hashes as u8)
}

/// Whether the text has a Markdown ATX heading at the start of a paragraph.
pub(crate) fn looks_like_markdown(text: &str) -> bool {
    let at_start = text.starts_with('#') && atx_level(text.lines().next().unwrap_or("")).is_some();
    at_start
        || text.match_indices("\n\n#").any(|(i, _)| {
            let line = text[i + 2..].lines().next().unwrap_or("");
            atx_level(line).is_some()
        })
}

/// A Markdown heading paragraph: ATX, or a two-line setext heading. Its rank and title.
pub(crate) fn markdown_heading(p: &str) -> Option<(u8, String)> {
    let mut lines = p.lines();
    let first = lines.next()?;
    if let Some(level) = atx_level(first) {
        let title = first[level as usize..]
            .trim()
            .trim_end_matches('#')
            .trim_end();
        return Some((level, title.to_string()));
    }
    let second = lines.next()?.trim();
    if lines.next().is_some() || first.trim().is_empty() {
        return None;
    }
    let rank = if !second.is_empty() && second.bytes().all(|b| b == b'=') {
        1
    } else if second.len() >= 3 && second.bytes().all(|b| b == b'-') {
        2
    } else {
        return None;
    };
    Some((rank, first.trim().to_string()))
}

/// Keywords, whether they take a number, and their rank.
const KEYWORDS: &[(&str, bool, u8)] = &[
    ("CHAPTER", true, 2),
    ("CHAP", true, 2),
    ("STAVE", true, 2),
    ("LETTER", true, 2),
    ("PROLOGUE", false, 2),
    ("EPILOGUE", false, 2),
    ("BOOK", true, 1),
    ("PART", true, 1),
    ("VOLUME", true, 1),
    ("VOL", true, 1),
];

const CARDINALS: &[&str] = &[
    "ONE",
    "TWO",
    "THREE",
    "FOUR",
    "FIVE",
    "SIX",
    "SEVEN",
    "EIGHT",
    "NINE",
    "TEN",
    "ELEVEN",
    "TWELVE",
    "THIRTEEN",
    "FOURTEEN",
    "FIFTEEN",
    "SIXTEEN",
    "SEVENTEEN",
    "EIGHTEEN",
    "NINETEEN",
];
const TENS: &[&str] = &[
    "TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY",
];
const ORDINALS: &[&str] = &[
    "FIRST",
    "SECOND",
    "THIRD",
    "FOURTH",
    "FIFTH",
    "SIXTH",
    "SEVENTH",
    "EIGHTH",
    "NINTH",
    "TENTH",
    "ELEVENTH",
    "TWELFTH",
    "THIRTEENTH",
    "FOURTEENTH",
    "FIFTEENTH",
    "SIXTEENTH",
    "SEVENTEENTH",
    "EIGHTEENTH",
    "NINETEENTH",
    "TWENTIETH",
    "LAST",
    "FINAL",
];

/// The value of a canonical Roman numeral in one case (`XLII`, `xlii`), if it is one.
fn roman(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let upper = s.to_ascii_uppercase();
    if upper != s && s.to_ascii_lowercase() != s {
        return None;
    }
    let value = |c: u8| match c {
        b'I' => Some(1),
        b'V' => Some(5),
        b'X' => Some(10),
        b'L' => Some(50),
        b'C' => Some(100),
        b'D' => Some(500),
        b'M' => Some(1000),
        _ => None,
    };
    let digits: Vec<u32> = upper.bytes().map(value).collect::<Option<_>>()?;
    let mut signed = 0i64;
    for (i, &d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|&next| next > d) {
            signed -= i64::from(d);
        } else {
            signed += i64::from(d);
        }
    }
    let total = u32::try_from(signed).ok()?;
    // Canonical form only: `IIII`, `IC` and English words made of these letters fail.
    const PARTS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = total;
    let mut canonical = String::new();
    for (v, s) in PARTS {
        while rest >= v {
            canonical.push_str(s);
            rest -= v;
        }
    }
    (canonical == upper && total > 0).then_some(total)
}

/// Whether `token` is a chapter number: Arabic, Roman, a number word or an ordinal.
fn is_number(token: &str) -> bool {
    if !token.is_empty() && token.len() <= 4 && token.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if roman(token).is_some() {
        return true;
    }
    let upper = token.to_ascii_uppercase();
    let word = |w: &str| CARDINALS.contains(&w) || TENS.contains(&w) || ORDINALS.contains(&w);
    match upper.split_once('-') {
        Some((tens, unit)) => {
            TENS.contains(&tens)
                && (CARDINALS[..9].contains(&unit) || ORDINALS[..9].contains(&unit))
        }
        None => word(&upper),
    }
}

/// Whether what follows a heading's number (or keyword) keeps it a heading.
fn tail_ok(tail: &str) -> bool {
    let t = tail.trim_start();
    t.is_empty()
        || t.starts_with(['.', ':', ';', ',', '-', '–', '—', ']', ')', '_', '*'])
        || (tail.starts_with(char::is_whitespace)
            && t.chars().any(char::is_alphabetic)
            && !t.chars().any(char::is_lowercase))
}

/// A plain-text heading paragraph (see the module docs): its rank and title.
pub(crate) fn keyword_heading(p: &str) -> Option<(u8, String)> {
    // Most paragraphs are prose: turn them away before any real work.
    let lead = |c: char| c.is_whitespace() || "[(_*#".contains(c);
    let start = p.trim_start_matches(lead);
    if p.len() > 400 || !start.starts_with(['C', 'S', 'L', 'P', 'E', 'B', 'V']) {
        return None;
    }
    let mut lines = p.lines();
    let first = lines.next()?;
    if lines.nth(2).is_some() || first.chars().count() > 100 {
        return None;
    }
    let line = first.trim_start_matches(lead);
    let word_len = line
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(line.len());
    let (word, rest) = line.split_at(word_len);
    let capitalized = word.len() > 1
        && word.as_bytes()[0].is_ascii_uppercase()
        && (word[1..].bytes().all(|b| b.is_ascii_lowercase())
            || word[1..].bytes().all(|b| b.is_ascii_uppercase()));
    if !capitalized {
        return None;
    }
    let upper = word.to_ascii_uppercase();
    let &(_, numbered, rank) = KEYWORDS.iter().find(|(k, _, _)| *k == upper)?;
    let rest = if upper == "CHAP" || upper == "VOL" {
        rest.strip_prefix('.')?
    } else {
        rest
    };
    if numbered {
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let (mut token, mut tail) = token_of(rest);
        if token.eq_ignore_ascii_case("the") {
            (token, tail) = token_of(tail);
            if !ORDINALS.contains(&token.to_ascii_uppercase().as_str()) {
                return None;
            }
        }
        if !is_number(token) || !tail_ok(tail) {
            return None;
        }
    } else if !tail_ok(rest) {
        return None;
    }
    Some((rank, title(p)))
}

/// The word at the start of `s` (after spaces): letters, digits and `-`; and the rest.
fn token_of(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(s.len());
    s.split_at(len)
}

/// A heading's text on one line, without surrounding brackets and emphasis marks.
fn title(p: &str) -> String {
    let joined = p.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .trim_matches(|c: char| c.is_whitespace() || "[]_*#".contains(c))
        .to_string()
}

/// Whether two headings say the same, ignoring ASCII case and surrounding punctuation.
fn same_title(a: &str, b: &str) -> bool {
    // ASCII case only: Unicode case tables would cost the web app ~10 KB for this.
    let not_word = |c: char| !c.is_alphanumeric();
    a.trim_matches(not_word)
        .eq_ignore_ascii_case(b.trim_matches(not_word))
}

/// Where chapters start, from the heading paragraphs in order (see the module docs).
pub(crate) fn chapter_starts(mut headings: Vec<Heading>, markdown: bool) -> Vec<Start> {
    // 1. Tables of contents: runs of adjacent headings in which a rank repeats.
    let mut keep = vec![true; headings.len()];
    let mut run_start = 0;
    for i in 0..=headings.len() {
        let run_ends = i == headings.len()
            || (i > 0 && headings[i].paragraph != headings[i - 1].paragraph + 1);
        if !run_ends {
            continue;
        }
        let run = &headings[run_start..i];
        let repeats = run
            .iter()
            .enumerate()
            .any(|(j, h)| run[j + 1..].iter().any(|o| o.rank == h.rank));
        if repeats {
            // The text often starts right after its contents: from the first heading
            // that repeats the run's first title on, the headings are real.
            let real = (1..run.len())
                .find(|&k| same_title(&run[k].title, &run[0].title))
                .unwrap_or(run.len());
            keep[run_start..run_start + real]
                .iter_mut()
                .for_each(|k| *k = false);
        }
        run_start = i;
    }
    let mut kept = keep.iter();
    headings.retain(|_| *kept.next().unwrap_or(&true));
    if headings.is_empty() {
        return Vec::new();
    }

    // 2. The chapter rank.
    let count = |rank: u8, only_words: bool| {
        headings
            .iter()
            .filter(|h| h.rank == rank && (h.chapter_word || !only_words))
            .count()
    };
    let ranks: Vec<u8> = {
        let mut r: Vec<u8> = headings.iter().map(|h| h.rank).collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let chapter_rank = if !markdown {
        if ranks.contains(&2) {
            2
        } else {
            1
        }
    } else if headings.iter().any(|h| h.chapter_word) {
        // Most frequent first; `max_by_key` keeps the last maximum, so go deepest-first.
        *ranks
            .iter()
            .rev()
            .max_by_key(|&&r| count(r, true))
            .unwrap_or(&ranks[0])
    } else {
        ranks
            .iter()
            .copied()
            .find(|&r| count(r, false) >= 2)
            .unwrap_or(ranks[0])
    };

    // 3. Starts; a higher-rank heading opens the chapter its next chapter heading joins,
    // except a lone one before the first chapter (a title: `# My Book`), left to the front
    // matter.
    let first_chapter = headings
        .iter()
        .position(|h| h.rank == chapter_rank)
        .unwrap_or(headings.len());
    let lone_title = |i: usize, h: &Heading| {
        h.rank < chapter_rank && i < first_chapter && count(h.rank, false) == 1
    };
    let kept: Vec<Heading> = headings
        .iter()
        .enumerate()
        .filter(|&(i, h)| h.rank <= chapter_rank && !lone_title(i, h))
        .map(|(_, h)| h.clone())
        .collect();
    let mut starts: Vec<Start> = Vec::new();
    let mut open_part = false;
    let mut previous: Option<usize> = None;
    for h in kept {
        let adjacent = previous.is_some_and(|p| h.paragraph == p + 1);
        previous = Some(h.paragraph);
        let joins = if h.rank < chapter_rank {
            let joins = open_part && adjacent;
            open_part = true;
            joins
        } else {
            std::mem::replace(&mut open_part, false)
        };
        match starts.last_mut() {
            Some(last) if joins => {
                last.title.push_str(" / ");
                last.title.push_str(&h.title);
            }
            _ => starts.push(Start {
                paragraph: h.paragraph,
                title: h.title,
            }),
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_headings() {
        for (p, rank) in [
            ("CHAPTER I.", 2),
            ("Chapter I.]", 2),
            ("Chapter 12", 2),
            ("CHAPTER XLII.", 2),
            ("CHAPTER XIII", 2),
            ("BOOK ONE", 1),
            ("Book the First—Recalled to Life", 1),
            ("CHAPTER 1. Loomings.", 2),
            ("Chapter 3: The Boy", 2),
            ("CHAPTER TWENTY-ONE", 2),
            ("CHAP. IV.", 2),
            ("Epilogue", 2),
            ("PART II\nTHE RETURN", 1),
            ("CHAPTER I\nIn which we meet", 2),
            ("CHAPTER 1 THE BEGINNING", 2),
        ] {
            assert_eq!(keyword_heading(p).map(|h| h.0), Some(rank), "{p}");
        }
        for p in [
            "Chapter I was reading, said he.",
            "Chapter and verse.",
            "chapter 1",
            "Heading to Chapter I.       1",
            "Chapter Mix",
            "CHAPTER CIVIL",
            "Epilogues are dull",
            "Bookish people",
            "Chapter 1 Loomings",
        ] {
            assert_eq!(keyword_heading(p), None, "{p}");
        }
    }

    #[test]
    fn romans() {
        assert_eq!(roman("XLII"), Some(42));
        assert_eq!(roman("lxi"), Some(61));
        assert_eq!(roman("IIII"), None);
        assert_eq!(roman("Xi"), None);
    }

    fn h(paragraph: usize, rank: u8, title: &str) -> Heading {
        Heading {
            paragraph,
            rank,
            chapter_word: rank == 2,
            title: title.to_string(),
        }
    }

    #[test]
    fn table_of_contents_is_not_chapters() {
        let hs = vec![
            h(1, 2, "C1"),
            h(2, 2, "C2"),
            h(3, 2, "C3"),
            h(10, 2, "C1"),
            h(20, 2, "C2"),
        ];
        let starts = chapter_starts(hs, false);
        assert_eq!(
            starts.iter().map(|s| s.paragraph).collect::<Vec<_>>(),
            vec![10, 20]
        );
    }

    #[test]
    fn book_heading_joins_its_first_chapter() {
        let hs = vec![
            h(0, 1, "BOOK ONE"),
            h(1, 2, "CHAPTER I"),
            h(5, 2, "CHAPTER II"),
            h(9, 1, "BOOK TWO"),
            h(11, 2, "CHAPTER III"),
        ];
        let starts = chapter_starts(hs, false);
        let got: Vec<_> = starts
            .iter()
            .map(|s| (s.paragraph, s.title.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "BOOK ONE / CHAPTER I"),
                (5, "CHAPTER II"),
                (9, "BOOK TWO / CHAPTER III")
            ]
        );
    }
}
