//! Time zones as Go's `time.LoadLocation` finds them: the system's TZif
//! files (`$ZONEINFO`, `/usr/share/zoneinfo`, ...), `UTC`, and `Local`
//! (`$TZ`, else `/etc/localtime`).

use std::sync::OnceLock;

/// A zone: offsets and abbreviations over time.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    /// Transition instants (Unix seconds) and the type index from then on.
    trans: Vec<(i64, usize)>,
    /// (UTC offset in seconds, abbreviation) per type.
    types: Vec<(i32, String)>,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            trans: Vec::new(),
            types: vec![(0, "UTC".into())],
        }
    }

    /// Go's `time.LoadLocation(name)`; `None` for a zone it cannot find.
    pub fn load(name: &str) -> Option<Zone> {
        match name {
            "" | "UTC" => return Some(Zone::utc()),
            "Local" => return Some(local().clone()),
            _ => {}
        }
        if name.starts_with('/') || name.split('/').any(|p| p == ".." || p.is_empty()) {
            return None;
        }
        let mut dirs: Vec<String> = Vec::new();
        if let Ok(z) = std::env::var("ZONEINFO") {
            dirs.push(z);
        }
        dirs.extend(
            [
                "/usr/share/zoneinfo",
                "/usr/share/lib/zoneinfo",
                "/usr/lib/locale/TZ",
                "/etc/zoneinfo",
            ]
            .map(String::from),
        );
        dirs.iter()
            .find_map(|d| std::fs::read(format!("{d}/{name}")).ok())
            .and_then(|b| parse_tzif(&b))
    }

    /// The offset for a wall-clock time given as if it were UTC (`naive`
    /// seconds), as Go's `Date` resolves local times.
    pub fn offset_for_wall(&self, naive: i64) -> (i32, &str) {
        let (first, _) = self.lookup(naive);
        self.lookup(naive - i64::from(first))
    }

    /// The UTC offset and abbreviation in force at Unix time `t`.
    pub fn lookup(&self, t: i64) -> (i32, &str) {
        let idx = match self.trans.partition_point(|(at, _)| *at <= t) {
            0 => 0,
            n => self.trans[n - 1].1,
        };
        match self.types.get(idx) {
            Some((off, abbr)) => (*off, abbr),
            None => (0, "UTC"),
        }
    }
}

/// Go's `time.Local`: `$TZ` (empty means UTC), else `/etc/localtime`,
/// else UTC.
pub fn local() -> &'static Zone {
    static LOCAL: OnceLock<Zone> = OnceLock::new();
    LOCAL.get_or_init(|| match std::env::var("TZ") {
        Ok(tz) if tz.is_empty() || tz == "UTC" => Zone::utc(),
        Ok(tz) => Zone::load(tz.trim_start_matches(':')).unwrap_or_else(Zone::utc),
        Err(_) => std::fs::read("/etc/localtime")
            .ok()
            .and_then(|b| parse_tzif(&b))
            .filter(|z| !z.types.is_empty())
            .unwrap_or_else(Zone::utc),
    })
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads a TZif file (version 1 data, or the 64-bit data of version 2+).
fn parse_tzif(b: &[u8]) -> Option<Zone> {
    if b.get(..4)? != b"TZif" {
        return None;
    }
    let counts = |at: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (i, x) in c.iter_mut().enumerate() {
            *x = be32(b, at + 20 + 4 * i)? as usize;
        }
        Some(c)
    };
    let [isut, isstd, leap, time, typ, chars] = counts(0)?;
    let v1_len = time * 5 + typ * 6 + chars + leap * 8 + isstd + isut;
    let (start, size, c) = if b[4] >= b'2' {
        let second = 44 + v1_len;
        if b.get(second..second + 4)? != b"TZif" {
            return None;
        }
        (second + 44, 8, counts(second)?)
    } else {
        (44, 4, [isut, isstd, leap, time, typ, chars])
    };
    let [_, _, _, time, typ, chars] = c;
    let mut p = start;
    let mut trans = Vec::with_capacity(time);
    for i in 0..time {
        let at = p + i * size;
        let t = if size == 8 {
            i64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?)
        } else {
            i64::from(be32(b, at)? as i32)
        };
        trans.push(t);
    }
    p += time * size;
    let idx = b.get(p..p + time)?;
    p += time;
    let mut raw_types = Vec::with_capacity(typ);
    for i in 0..typ {
        let at = p + i * 6;
        raw_types.push((be32(b, at)? as i32, usize::from(*b.get(at + 5)?)));
    }
    p += typ * 6;
    let abbrs = b.get(p..p + chars)?;
    let types = raw_types
        .into_iter()
        .map(|(off, ai)| {
            let rest = abbrs.get(ai..).unwrap_or_default();
            let end = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
            (off, String::from_utf8_lossy(&rest[..end]).into_owned())
        })
        .collect::<Vec<_>>();
    let trans = trans
        .into_iter()
        .zip(idx.iter().map(|&i| usize::from(i)))
        .filter(|(_, i)| *i < types.len())
        .collect();
    Some(Zone { trans, types })
}

#[cfg(test)]
mod tests {
    use super::Zone;

    #[test]
    fn system_zones() {
        let Some(ny) = Zone::load("America/New_York") else {
            eprintln!("no zoneinfo on this machine");
            return;
        };
        // 2024-07-05T00:00:00Z and 2024-01-05T00:00:00Z.
        assert_eq!(ny.lookup(1_720_137_600), (-14_400, "EDT"));
        assert_eq!(ny.lookup(1_704_412_800), (-18_000, "EST"));
        assert!(Zone::load("Nowhere/Zone").is_none());
        assert!(Zone::load("../etc/passwd").is_none());
        assert_eq!(Zone::load("UTC").unwrap().lookup(0), (0, "UTC"));
    }
}
