//! Positions as the client counts them. LSP gives a position as a line and a character
//! offset in that line, counted in the code units of the encoding negotiated at
//! initialization (`positionEncoding`: UTF-8 bytes when the client offers it, else UTF-16,
//! the protocol's default); lines end at `\n`, `\r\n` or a lone `\r`. dockerfix works on byte
//! offsets: this module converts both ways.

use lsp_types::Position;

/// The unit of a position's `character`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Where each line of a text starts (byte offsets), as LSP splits lines.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The byte range of a line's content, without its line ending.
    fn line(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let end = match self.starts.get(line + 1) {
            Some(&next) => {
                let bytes = text.as_bytes();
                let mut end = next;
                if end > start && bytes.get(end - 1) == Some(&b'\n') {
                    end -= 1;
                }
                if end > start && bytes.get(end - 1) == Some(&b'\r') {
                    end -= 1;
                }
                end
            }
            None => text.len(),
        };
        Some((start, end))
    }

    /// The position of a byte offset (clamped to the text, and to the end of its line's
    /// content when it falls inside a `\r\n`).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let (start, end) = self.line(text, line).unwrap_or((0, 0));
        let offset = offset.clamp(start, end);
        let character: usize = text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(|c| enc.units(c))
            .sum();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The byte offset of a position: past the last line, the end of the text; past the end of
    /// a line, the end of its content; inside a character (half of a surrogate pair), its
    /// start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some((start, end)) = self.line(text, pos.line as usize) else {
            return text.len();
        };
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            let next = units + enc.units(c);
            if next > want {
                return start + i;
            }
            units = next;
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn non_ascii_and_crlf() {
        // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 UTF-16 units.
        let text = "FROM a\r\nLABEL x=\"é𝄞\" y=1\r\nRUN b\n";
        let idx = LineIndex::new(text);
        let y = text.find("y=1").unwrap();
        assert_eq!(idx.position(text, y, Encoding::Utf16), p(1, 14));
        assert_eq!(idx.position(text, y, Encoding::Utf8), p(1, 17));
        assert_eq!(idx.offset(text, p(1, 14), Encoding::Utf16), y);
        assert_eq!(idx.offset(text, p(1, 17), Encoding::Utf8), y);
        // Between the `\r` and the `\n`: the end of the line's content.
        let cr = text.find('\r').unwrap();
        assert_eq!(idx.position(text, cr + 1, Encoding::Utf16), p(0, 6));
        assert_eq!(idx.position(text, cr, Encoding::Utf16), p(0, 6));
        // Past the end of a line: its end, not the next line.
        assert_eq!(idx.offset(text, p(0, 99), Encoding::Utf16), cr);
        // Inside the surrogate pair: the character's start.
        let clef = text.find('𝄞').unwrap();
        assert_eq!(idx.offset(text, p(1, 10), Encoding::Utf16), clef);
        assert_eq!(idx.offset(text, p(1, 11), Encoding::Utf16), clef);
        assert_eq!(idx.offset(text, p(1, 12), Encoding::Utf16), clef + 4);
        // Inside a UTF-8 sequence (a byte offset from nowhere): the character's start.
        assert_eq!(idx.position(text, clef + 1, Encoding::Utf8), p(1, 11));
        // Past the last line: the end of the text, and back.
        assert_eq!(idx.offset(text, p(9, 0), Encoding::Utf16), text.len());
        assert_eq!(idx.position(text, text.len(), Encoding::Utf16), p(3, 0));
        assert_eq!(idx.position(text, usize::MAX, Encoding::Utf16), p(3, 0));
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let text = "a\rbc\n\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 3, Encoding::Utf16), p(1, 1));
        assert_eq!(idx.position(text, 6, Encoding::Utf16), p(3, 0));
        assert_eq!(idx.offset(text, p(2, 0), Encoding::Utf8), 5);
    }

    #[test]
    fn every_offset_round_trips() {
        let text = "# é\r\nFROM 𝄞 AS x\rRUN a \\\r\n  b\n";
        let idx = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, _) in text.char_indices() {
                let pos = idx.position(text, i, enc);
                let back = idx.offset(text, pos, enc);
                // A line ending maps to the end of its line's content.
                let at_ending = matches!(text.as_bytes()[i], b'\r' | b'\n');
                if !at_ending {
                    assert_eq!(back, i, "{enc:?} {i} {pos:?}");
                }
            }
        }
    }
}
