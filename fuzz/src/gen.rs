//! Structured inputs: JSON values, counts, prices and names drawn from fuzzer bytes with
//! `arbitrary`, biased towards what cost-core's parsers look for (known keys, limits, float
//! noise), so that the fuzzer gets past "not JSON" and "unknown field" quickly.
//!
//! Every draw succeeds: once the bytes run out, `Unstructured` gives zeros, so a short input
//! is a small value, never an error.

use arbitrary::Unstructured;
use serde_json::{Map, Number, Value};

/// Draws values from fuzzer bytes.
pub(crate) struct Gen<'a> {
    u: Unstructured<'a>,
}

impl<'a> Gen<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Gen<'a> {
        Gen {
            u: Unstructured::new(data),
        }
    }

    /// Whether the bytes are used up (every later draw is a zero).
    pub(crate) fn is_empty(&self) -> bool {
        self.u.is_empty()
    }

    pub(crate) fn u8(&mut self) -> u8 {
        self.u.arbitrary().unwrap_or(0)
    }

    pub(crate) fn u64(&mut self) -> u64 {
        self.u.arbitrary().unwrap_or(0)
    }

    pub(crate) fn i64(&mut self) -> i64 {
        self.u.arbitrary().unwrap_or(0)
    }

    pub(crate) fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.u.choose_index(n).unwrap_or(0)
    }

    /// A number in `low..=high`.
    pub(crate) fn in_range(&mut self, low: u64, high: u64) -> u64 {
        self.u.int_in_range(low..=high).unwrap_or(low)
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A short string: any characters, up to `max` bytes.
    pub(crate) fn text(&mut self, max: usize) -> String {
        let len = self.below(max + 1);
        let bytes = self.u.bytes(len).unwrap_or_default();
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// Mostly one of `names`, sometimes a variation of one, sometimes anything.
    pub(crate) fn name(&mut self, names: &[&str]) -> String {
        if names.is_empty() {
            return self.text(12);
        }
        match self.below(10) {
            0 => self.text(12),
            1 => {
                let name = self.pick(names);
                match self.below(4) {
                    0 => name.to_ascii_uppercase(),
                    1 => format!("{name}-20250101"),
                    2 => format!(" {name}-latest "),
                    _ => name.replace('-', "."),
                }
            }
            _ => self.pick(names).to_string(),
        }
    }

    /// A token count, biased to the limits (10^15, `u64::MAX`) and small numbers.
    pub(crate) fn count(&mut self) -> u64 {
        const MAX_TOKENS: u64 = 1_000_000_000_000_000;
        match self.below(12) {
            0 => 0,
            1 => MAX_TOKENS,
            2 => MAX_TOKENS + 1,
            3 => u64::MAX,
            4 => self.u64(),
            5 => self.in_range(0, MAX_TOKENS),
            6 => self.in_range(100_000, 2_000_000),
            _ => self.in_range(0, 1_000),
        }
    }

    /// A JSON number: mostly a count, sometimes negative, a float, an integral float.
    pub(crate) fn number(&mut self) -> Value {
        match self.below(10) {
            0 => Value::from(-(self.in_range(0, 1_000) as i64)),
            1 => Value::from(self.i64()),
            2 => float(self.count() as f64),
            3 => float(self.in_range(0, 10_000) as f64 / 8.0),
            4 => float(f64::from_bits(self.u64())),
            5 => float(self.pick(&[
                0.1,
                0.18000000000000002,
                9.499999999999999e-7,
                1e-15,
                1e-16,
                3e-6,
                1e21,
                1e300,
                -0.0,
            ])),
            _ => Value::from(self.count()),
        }
    }

    /// A price as a decimal string or a JSON number, biased to valid ones.
    pub(crate) fn price(&mut self) -> Value {
        match self.below(8) {
            0 => self.number(),
            1 => Value::String(self.decimal_text()),
            2 => float(self.in_range(0, 100_000) as f64 / 1000.0),
            _ => Value::String(format!(
                "{}.{:03}",
                self.in_range(0, 100),
                self.in_range(0, 999)
            )),
        }
    }

    /// Decimal text, valid or nearly: digits, a point, an exponent, a sign, junk.
    pub(crate) fn decimal_text(&mut self) -> String {
        let mut out = String::new();
        if self.below(6) == 0 {
            out.push(self.pick(&['-', '+', ' ']));
        }
        let digits = self.below(24);
        for _ in 0..digits {
            out.push(char::from(b'0' + self.u8() % 10));
        }
        if self.bool() {
            out.push('.');
            for _ in 0..self.below(20) {
                out.push(char::from(b'0' + self.u8() % 10));
            }
        }
        if self.below(4) == 0 {
            out.push(self.pick(&['e', 'E']));
            out.push_str(&(self.i64() % 50).to_string());
        }
        if self.below(10) == 0 {
            out.push_str(&self.text(3));
        }
        out
    }

    /// A date as text, valid or nearly.
    pub(crate) fn date_text(&mut self) -> String {
        match self.below(8) {
            0 => self.text(26),
            1 => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
                self.in_range(0, 9999),
                self.in_range(0, 13),
                self.in_range(0, 32),
                self.in_range(0, 24),
                self.in_range(0, 60),
                self.in_range(0, 61),
                self.pick(&["Z", "+14:00", "-12:30", ".5Z", "", "+25:00"])
            ),
            2 => format!(
                "{:04}-{:02}-{:02}",
                self.in_range(0, 9999),
                self.in_range(0, 13),
                self.in_range(0, 32)
            ),
            _ => format!(
                "{}-{:02}-{:02}",
                self.in_range(2023, 2027),
                self.in_range(1, 12),
                self.in_range(1, 28)
            ),
        }
    }

    /// Any JSON value, with object keys mostly from `keys`, nested at most `depth` deep.
    pub(crate) fn value(&mut self, keys: &[&str], depth: u32) -> Value {
        let kinds = if depth == 0 { 5 } else { 7 };
        match self.below(kinds) {
            0 => Value::Null,
            1 => Value::Bool(self.bool()),
            2 => Value::String(if self.bool() {
                self.name(keys)
            } else {
                self.decimal_text()
            }),
            3 | 4 => self.number(),
            5 => Value::Array(
                (0..self.below(4))
                    .map(|_| self.value(keys, depth - 1))
                    .collect(),
            ),
            _ => Value::Object(self.object(keys, depth - 1)),
        }
    }

    /// An object with up to 8 keys, mostly from `keys`.
    pub(crate) fn object(&mut self, keys: &[&str], depth: u32) -> Map<String, Value> {
        let mut map = Map::new();
        for _ in 0..self.below(9) {
            let key = self.key(keys);
            let value = self.value(keys, depth);
            map.insert(key, value);
        }
        map
    }

    /// A key: mostly one of `keys`, sometimes anything.
    pub(crate) fn key(&mut self, keys: &[&str]) -> String {
        if keys.is_empty() || self.below(12) == 0 {
            self.text(10)
        } else {
            self.pick(keys).to_string()
        }
    }

    /// JSON text of `value`: compact, pretty, or with a key's letter `\u`-escaped (which
    /// the usage log's fast reader declines, so both readers get a turn).
    pub(crate) fn json_text(&mut self, value: &Value) -> String {
        let text = match self.below(4) {
            0 => serde_json::to_string_pretty(value).unwrap_or_default(),
            1 => serde_json::to_string(value)
                .unwrap_or_default()
                .replace("\":", "\" : ")
                .replace(',', " ,\t"),
            _ => serde_json::to_string(value).unwrap_or_default(),
        };
        if self.below(8) == 0 {
            text.replacen("\"i", "\"\\u0069", 1)
        } else {
            text
        }
    }
}

/// A JSON number from a float; `null` for the non-finite ones JSON cannot hold.
pub(crate) fn float(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}
