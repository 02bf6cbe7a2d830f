//! Go's time layouts (`2006-01-02T15:04:05Z07:00`): formatting and parsing.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike};

/// One element of a Go layout.
#[derive(Debug, Clone, PartialEq)]
enum Chunk {
    Lit(String),
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm(bool),
    /// Zone offset: (use `Z` for UTC, with colons, with seconds, hours only).
    Tz(bool, bool, bool, bool),
    TzName,
    /// Fractional seconds: (separator, digits, trailing zeros trimmed (`9`s)).
    Frac(char, usize, bool),
}

fn chunks(layout: &str) -> Vec<Chunk> {
    let b = layout.as_bytes();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let starts = |i: usize, s: &str| layout[i..].starts_with(s);
    while i < b.len() {
        let (chunk, len) = match b[i] {
            b'J' if starts(i, "January") => (Chunk::LongMonth, 7),
            b'J' if starts(i, "Jan") => (Chunk::Month, 3),
            b'M' if starts(i, "Monday") => (Chunk::LongWeekDay, 6),
            b'M' if starts(i, "Mon") => (Chunk::WeekDay, 3),
            b'M' if starts(i, "MST") => (Chunk::TzName, 3),
            b'0' if starts(i, "002") => (Chunk::ZeroYearDay, 3),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => (
                match b[i + 1] {
                    b'1' => Chunk::ZeroMonth,
                    b'2' => Chunk::ZeroDay,
                    b'3' => Chunk::ZeroHour12,
                    b'4' => Chunk::ZeroMinute,
                    b'5' => Chunk::ZeroSecond,
                    _ => Chunk::Year,
                },
                2,
            ),
            b'1' if starts(i, "15") => (Chunk::Hour, 2),
            b'1' => (Chunk::NumMonth, 1),
            b'2' if starts(i, "2006") => (Chunk::LongYear, 4),
            b'2' => (Chunk::Day, 1),
            b'_' if starts(i, "_2006") => {
                lit.push('_');
                (Chunk::LongYear, 5)
            }
            b'_' if starts(i, "__2") => (Chunk::UnderYearDay, 3),
            b'_' if starts(i, "_2") => (Chunk::UnderDay, 2),
            b'3' => (Chunk::Hour12, 1),
            b'4' => (Chunk::Minute, 1),
            b'5' => (Chunk::Second, 1),
            b'P' if starts(i, "PM") => (Chunk::Pm(true), 2),
            b'p' if starts(i, "pm") => (Chunk::Pm(false), 2),
            c @ (b'-' | b'Z') => {
                let z = c == b'Z';
                let rest = &layout[i + 1..];
                if rest.starts_with("070000") {
                    (Chunk::Tz(z, false, true, false), 7)
                } else if rest.starts_with("07:00:00") {
                    (Chunk::Tz(z, true, true, false), 9)
                } else if rest.starts_with("0700") {
                    (Chunk::Tz(z, false, false, false), 5)
                } else if rest.starts_with("07:00") {
                    (Chunk::Tz(z, true, false, false), 6)
                } else if rest.starts_with("07") {
                    (Chunk::Tz(z, false, false, true), 3)
                } else {
                    (Chunk::Lit(String::new()), 0)
                }
            }
            c @ (b'.' | b',') if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let d = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == d {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    (Chunk::Lit(String::new()), 0)
                } else {
                    (Chunk::Frac(char::from(c), j - i - 1, d == b'9'), j - i)
                }
            }
            _ => (Chunk::Lit(String::new()), 0),
        };
        if len == 0 {
            let c = layout[i..].chars().next().unwrap_or(' ');
            lit.push(c);
            i += c.len_utf8();
            continue;
        }
        if !lit.is_empty() {
            out.push(Chunk::Lit(std::mem::take(&mut lit)));
        }
        out.push(chunk);
        i += len;
    }
    if !lit.is_empty() {
        out.push(Chunk::Lit(lit));
    }
    out
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The English name of a month (1-12), as Go's `time.Month.String`.
pub fn month_name(m: u32) -> &'static str {
    MONTHS[(m as usize + 11) % 12]
}

/// The English name of a weekday (0 = Monday).
pub fn weekday_name(d: u32) -> &'static str {
    DAYS[d as usize % 7]
}

fn fmt_offset(out: &mut String, secs: i32, z: bool, colon: bool, with_secs: bool, short: bool) {
    if z && secs == 0 {
        out.push('Z');
        return;
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, (a / 60) % 60, a % 60);
    out.push(sign);
    out.push_str(&format!("{h:02}"));
    if short {
        return;
    }
    if colon {
        out.push(':');
    }
    out.push_str(&format!("{m:02}"));
    if with_secs {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{s:02}"));
    }
}

/// Formats `t` (whose zone is called `zone`, "" for an unnamed offset) with
/// a Go layout.
pub fn format(t: &DateTime<FixedOffset>, zone: &str, layout: &str) -> String {
    let mut out = String::new();
    let hour12 = |h: u32| if h.is_multiple_of(12) { 12 } else { h % 12 };
    for chunk in &chunks(layout) {
        match chunk {
            Chunk::Lit(s) => out.push_str(s),
            Chunk::LongMonth => out.push_str(month_name(t.month())),
            Chunk::Month => out.push_str(&month_name(t.month())[..3]),
            Chunk::NumMonth => out.push_str(&t.month().to_string()),
            Chunk::ZeroMonth => out.push_str(&format!("{:02}", t.month())),
            Chunk::LongWeekDay => out.push_str(weekday_name(t.weekday().num_days_from_monday())),
            Chunk::WeekDay => out.push_str(&weekday_name(t.weekday().num_days_from_monday())[..3]),
            Chunk::Day => out.push_str(&t.day().to_string()),
            Chunk::UnderDay => out.push_str(&format!("{:>2}", t.day())),
            Chunk::ZeroDay => out.push_str(&format!("{:02}", t.day())),
            Chunk::UnderYearDay => out.push_str(&format!("{:>3}", t.ordinal())),
            Chunk::ZeroYearDay => out.push_str(&format!("{:03}", t.ordinal())),
            Chunk::Hour => out.push_str(&format!("{:02}", t.hour())),
            Chunk::Hour12 => out.push_str(&hour12(t.hour()).to_string()),
            Chunk::ZeroHour12 => out.push_str(&format!("{:02}", hour12(t.hour()))),
            Chunk::Minute => out.push_str(&t.minute().to_string()),
            Chunk::ZeroMinute => out.push_str(&format!("{:02}", t.minute())),
            Chunk::Second => out.push_str(&t.second().to_string()),
            Chunk::ZeroSecond => out.push_str(&format!("{:02}", t.second())),
            Chunk::LongYear => out.push_str(&format!("{:04}", t.year())),
            Chunk::Year => out.push_str(&format!("{:02}", t.year().rem_euclid(100))),
            Chunk::Pm(upper) => {
                let s = if t.hour() >= 12 { "PM" } else { "AM" };
                out.push_str(&if *upper {
                    s.to_string()
                } else {
                    s.to_lowercase()
                });
            }
            Chunk::Tz(z, colon, secs, short) => fmt_offset(
                &mut out,
                t.offset().local_minus_utc(),
                *z,
                *colon,
                *secs,
                *short,
            ),
            Chunk::TzName => {
                if zone.is_empty() {
                    fmt_offset(
                        &mut out,
                        t.offset().local_minus_utc(),
                        false,
                        false,
                        false,
                        false,
                    );
                } else {
                    out.push_str(zone);
                }
            }
            Chunk::Frac(sep, n, trim) => {
                let digits = format!("{:09}", t.nanosecond() % 1_000_000_000);
                let d = &digits[..(*n).min(9)];
                let d = if *trim { d.trim_end_matches('0') } else { d };
                if !d.is_empty() {
                    out.push(*sep);
                    out.push_str(d);
                }
            }
        }
    }
    out
}

fn quote(s: &str) -> String {
    driftless_gotmpl::quote(s)
}

fn layout_elem(c: &Chunk) -> &'static str {
    match c {
        Chunk::LongMonth => "January",
        Chunk::Month => "Jan",
        Chunk::NumMonth => "1",
        Chunk::ZeroMonth => "01",
        Chunk::LongWeekDay => "Monday",
        Chunk::WeekDay => "Mon",
        Chunk::Day => "2",
        Chunk::UnderDay => "_2",
        Chunk::ZeroDay => "02",
        Chunk::UnderYearDay => "__2",
        Chunk::ZeroYearDay => "002",
        Chunk::Hour => "15",
        Chunk::Hour12 => "3",
        Chunk::ZeroHour12 => "03",
        Chunk::Minute => "4",
        Chunk::ZeroMinute => "04",
        Chunk::Second => "5",
        Chunk::ZeroSecond => "05",
        Chunk::LongYear => "2006",
        Chunk::Year => "06",
        Chunk::Pm(true) => "PM",
        Chunk::Pm(false) => "pm",
        Chunk::Tz(true, true, false, false) => "Z07:00",
        Chunk::Tz(true, false, false, false) => "Z0700",
        Chunk::Tz(true, _, _, true) => "Z07",
        Chunk::Tz(true, ..) => "Z07:00:00",
        Chunk::Tz(false, true, false, false) => "-07:00",
        Chunk::Tz(false, false, false, false) => "-0700",
        Chunk::Tz(false, _, _, true) => "-07",
        Chunk::Tz(false, ..) => "-07:00:00",
        Chunk::TzName => "MST",
        Chunk::Frac(..) => ".000",
        Chunk::Lit(_) => "",
    }
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn take_name<'a>(s: &'a str, names: &[&str], len: Option<usize>) -> Option<(u32, &'a str)> {
    for (i, n) in names.iter().enumerate() {
        let n = match len {
            Some(l) => &n[..l],
            None => n,
        };
        if s.len() >= n.len() && s[..n.len()].eq_ignore_ascii_case(n) {
            return Some((i as u32, &s[n.len()..]));
        }
    }
    None
}

/// What went wrong reading a number: builds the error from the "cannot
/// parse" text and the whole value.
type NumErr = Box<dyn FnOnce(String, &str) -> String>;

/// A 1-2 digit number at most `max`, with Go's `WHAT out of range` error.
fn in_range<'a>(
    s: &'a str,
    min_digits: usize,
    max: u32,
    what: &'static str,
) -> Result<(u32, &'a str), NumErr> {
    let Some((n, r)) = take_digits(s, min_digits, 2) else {
        return Err(Box::new(|bad, _| bad));
    };
    if n > max {
        return Err(Box::new(move |_, value| {
            format!("parsing time {}: {what} out of range", quote(value))
        }));
    }
    Ok((n, r))
}

/// Go's `time.Parse(layout, value)` for a zone `local` (the offset used
/// when the value names none). Errors as Go words them.
pub fn parse(
    layout: &str,
    value: &str,
    local: &super::zone::Zone,
) -> Result<(DateTime<FixedOffset>, String), String> {
    let all = chunks(layout);
    let (mut year, mut month, mut day, mut yday) = (1i32, 1u32, 1u32, 0u32);
    let (mut hour, mut min, mut sec, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let (mut pm, mut pm_set) = (false, false);
    let mut offset: Option<i32> = None;
    let mut zone = String::new();
    let mut rest = value;
    let err = |elem: &str, v: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value),
            quote(layout),
            quote(v),
            quote(elem)
        )
    };
    let mut k = 0;
    while k < all.len() {
        let c = &all[k];
        k += 1;
        let v = rest;
        let bad = || err(layout_elem(c), v);
        match c {
            Chunk::Lit(l) => match rest.strip_prefix(l.as_str()) {
                Some(r) => rest = r,
                None => return Err(err(l, rest)),
            },
            Chunk::LongYear => {
                if rest.len() < 4 || !rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                year = rest[..4].parse().map_err(|_| bad())?;
                rest = &rest[4..];
            }
            Chunk::Year => {
                let (y, r) = take_digits(rest, 2, 2).ok_or_else(bad)?;
                year = if y >= 69 {
                    1900 + y as i32
                } else {
                    2000 + y as i32
                };
                rest = r;
            }
            Chunk::LongMonth | Chunk::Month => {
                let len = (*c == Chunk::Month).then_some(3);
                let (m, r) = take_name(rest, &MONTHS, len).ok_or_else(bad)?;
                month = m + 1;
                rest = r;
            }
            Chunk::NumMonth | Chunk::ZeroMonth => {
                let min = if *c == Chunk::ZeroMonth { 2 } else { 1 };
                let (m, r) = take_digits(rest, min, 2).ok_or_else(bad)?;
                if !(1..=12).contains(&m) {
                    return Err(format!("parsing time {}: month out of range", quote(value)));
                }
                month = m;
                rest = r;
            }
            Chunk::LongWeekDay | Chunk::WeekDay => {
                let len = (*c == Chunk::WeekDay).then_some(3);
                rest = take_name(rest, &DAYS, len).ok_or_else(bad)?.1;
            }
            Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                let r = if *c == Chunk::UnderDay {
                    rest.strip_prefix(' ').unwrap_or(rest)
                } else {
                    rest
                };
                let min = if *c == Chunk::ZeroDay { 2 } else { 1 };
                let (d, r) = take_digits(r, min, 2).ok_or_else(bad)?;
                day = d;
                rest = r;
            }
            Chunk::UnderYearDay | Chunk::ZeroYearDay => {
                let r = rest.trim_start_matches(' ');
                let (d, r) = take_digits(r, 3, 3).ok_or_else(bad)?;
                yday = d;
                rest = r;
            }
            Chunk::Hour | Chunk::Hour12 | Chunk::ZeroHour12 => {
                let (min_d, max, what) = match c {
                    Chunk::Hour => (2, 23, "hour"),
                    Chunk::ZeroHour12 => (2, 12, "hour"),
                    _ => (1, 12, "hour"),
                };
                let (h, r) = in_range(rest, min_d, max, what).map_err(|e| e(bad(), value))?;
                hour = h;
                rest = r;
            }
            Chunk::Minute | Chunk::ZeroMinute => {
                let min_d = if *c == Chunk::ZeroMinute { 2 } else { 1 };
                let (m, r) = in_range(rest, min_d, 59, "minute").map_err(|e| e(bad(), value))?;
                min = m;
                rest = r;
            }
            Chunk::Second | Chunk::ZeroSecond => {
                let min_d = if *c == Chunk::ZeroSecond { 2 } else { 1 };
                let (s, r) = in_range(rest, min_d, 59, "second").map_err(|e| e(bad(), value))?;
                sec = s;
                rest = r;
                // Go accepts a fraction after seconds even if the layout has none.
                if !matches!(all.get(k), Some(Chunk::Frac(..)))
                    && rest.len() > 1
                    && rest.starts_with('.')
                    && rest.as_bytes()[1].is_ascii_digit()
                {
                    let r = &rest[1..];
                    let n = r.bytes().take_while(u8::is_ascii_digit).count();
                    nanos = format!("{:0<9}", &r[..n.min(9)]).parse().unwrap_or(0);
                    rest = &r[n..];
                }
            }
            Chunk::Pm(upper) => {
                let p = rest.get(..2).ok_or_else(bad)?;
                let p = if *upper {
                    p.to_string()
                } else {
                    p.to_uppercase()
                };
                match p.as_str() {
                    "PM" => pm = true,
                    "AM" => pm = false,
                    _ => return Err(bad()),
                }
                pm_set = true;
                rest = &rest[2..];
            }
            Chunk::Tz(z, colon, secs, short) => {
                if *z && rest.starts_with('Z') {
                    rest = &rest[1..];
                    offset = Some(0);
                    zone = "UTC".into();
                    continue;
                }
                let sign = match rest.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(bad()),
                };
                let mut r = &rest[1..];
                let (h, r2) = take_digits(r, 2, 2).ok_or_else(bad)?;
                r = r2;
                let mut m = 0;
                let mut s = 0;
                if !short {
                    if *colon {
                        r = r.strip_prefix(':').ok_or_else(bad)?;
                    }
                    let (mm, r2) = take_digits(r, 2, 2).ok_or_else(bad)?;
                    m = mm;
                    r = r2;
                    if *secs {
                        if *colon {
                            r = r.strip_prefix(':').ok_or_else(bad)?;
                        }
                        let (ss, r2) = take_digits(r, 2, 2).ok_or_else(bad)?;
                        s = ss;
                        r = r2;
                    }
                }
                offset = Some(sign * (h * 3600 + m * 60 + s) as i32);
                rest = r;
            }
            Chunk::TzName => {
                let n = rest.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(bad());
                }
                zone = rest[..n].to_string();
                if zone == "UTC" || zone == "GMT" {
                    offset = Some(0);
                }
                rest = &rest[n..];
            }
            Chunk::Frac(_, want, trim) => {
                let b = rest.as_bytes();
                let has = b.len() >= 2 && matches!(b[0], b'.' | b',') && b[1].is_ascii_digit();
                if !has {
                    if *trim {
                        continue;
                    }
                    return Err(bad());
                }
                let r = &rest[1..];
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                if !trim && n < *want {
                    return Err(bad());
                }
                let n = if *trim { n } else { *want };
                nanos = format!("{:0<9}", &r[..n.min(9)]).parse().unwrap_or(0);
                rest = &r[n..];
            }
        }
    }
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            quote(value),
            quote(rest)
        ));
    }
    if pm_set {
        if pm && hour < 12 {
            hour += 12;
        } else if !pm && hour == 12 {
            hour = 0;
        }
    }
    let date = if yday > 0 {
        NaiveDate::from_yo_opt(year, yday)
    } else {
        NaiveDate::from_ymd_opt(year, month, day)
    }
    .ok_or_else(|| format!("parsing time {}: day out of range", quote(value)))?;
    let naive = date
        .and_hms_nano_opt(hour, min, sec, nanos)
        .ok_or_else(|| format!("parsing time {}: time out of range", quote(value)))?;
    let utc = FixedOffset::east_opt(0).expect("zero offset");
    let off = match offset {
        Some(o) => FixedOffset::east_opt(o).unwrap_or(utc),
        None => {
            let (o, abbr) = local.offset_for_wall(naive.and_utc().timestamp());
            if zone.is_empty() {
                zone = abbr.to_string();
            }
            FixedOffset::east_opt(o).unwrap_or(utc)
        }
    };
    let t = off
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| format!("parsing time {}: out of range", quote(value)))?;
    if offset == Some(0) && zone.is_empty() {
        zone = "UTC".into();
    }
    Ok((t, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts_format_and_parse() {
        let t = DateTime::parse_from_rfc3339("2024-03-05T07:08:09.5Z").unwrap();
        let f = |l: &str| format(&t, "UTC", l);
        assert_eq!(f("2006-01-02T15:04:05Z07:00"), "2024-03-05T07:08:09Z");
        assert_eq!(f("Jan 2, 2006 3:04pm"), "Mar 5, 2024 7:08am");
        assert_eq!(f("2006-01-02 15:04:05.999"), "2024-03-05 07:08:09.5");
        assert_eq!(
            f("2006-01-02 15:04:05.000 MST"),
            "2024-03-05 07:08:09.500 UTC"
        );
        assert_eq!(f("Monday January _2 002"), "Tuesday March  5 065");
        let utc = &super::super::zone::Zone::utc();
        let (p, z) = parse("2006-01-02", "2024-03-05", utc).unwrap();
        assert_eq!(
            (p.to_rfc3339(), z.as_str()),
            ("2024-03-05T00:00:00+00:00".into(), "UTC")
        );
        let (p, _) = parse(
            "2006-01-02T15:04:05Z07:00",
            "2024-03-05T10:00:00+02:00",
            utc,
        )
        .unwrap();
        assert_eq!(p.to_rfc3339(), "2024-03-05T10:00:00+02:00");
        assert_eq!(
            parse("2006-01-02", "x", utc).unwrap_err(),
            r#"parsing time "x" as "2006-01-02": cannot parse "x" as "2006""#
        );
        assert_eq!(
            parse("2006-01-02", "2024-01-02x", utc).unwrap_err(),
            r#"parsing time "2024-01-02x": extra text: "x""#
        );
        assert_eq!(
            parse("2006-01-02", "2024-13-02", utc).unwrap_err(),
            r#"parsing time "2024-13-02": month out of range"#
        );
    }
}
