//! The deploy window: `DAY[-DAY] HH:MM-HH:MM Area/City`, read by the one parser
//! [`Window::parse`]. The check stage reports the text it cannot read
//! (`deploy/bad-window`), sealing stores the parsed value in the model, and the deploy
//! workflow's gate is generated from it, so what the check accepts and what the
//! workflow enforces cannot disagree ([`Window::contains`] is the meaning).

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde::{Serialize, Serializer};

/// The day names a window is written with, Monday first.
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The minutes of a day: a window may end at `24:00`.
const DAY_MINUTES: u32 = 24 * 60;

/// When deploys may run: from `first` to `last` (wrapping past Sunday when `last`
/// comes before `first`), from `start` (inclusive) to `end` (exclusive) minutes after
/// local midnight, in an IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    text: String,
    first: Weekday,
    last: Weekday,
    start_minute: u32,
    end_minute: u32,
    zone: String,
}

impl Window {
    /// Reads a window, or says what about it cannot be read.
    ///
    /// # Errors
    ///
    /// The problem, in words that complete "deploy window `...` cannot be read: ".
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [days, times, zone] = parts.as_slice() else {
            return Err("expected three parts: days, hours and a time zone".to_string());
        };
        let day = |d: &str| {
            DAYS.iter()
                .position(|x| *x == d)
                .and_then(|i| i8::try_from(i + 1).ok())
                .and_then(|n| Weekday::from_monday_one_offset(n).ok())
                .ok_or_else(|| format!("`{d}` is not a day (Mon..Sun)"))
        };
        let (first, last) = days.split_once('-').unwrap_or((days, days));
        let (first, last) = (day(first)?, day(last)?);
        let (start, end) = times
            .split_once('-')
            .ok_or("the hours are not HH:MM-HH:MM")?;
        let (start_minute, end_minute) = (minute(start)?, minute(end)?);
        if start_minute >= end_minute {
            return Err("the window ends before it starts".to_string());
        }
        // The zone is written into the workflow's shell script and looked up in the
        // runner's zoneinfo: an IANA `Area/City` name of plain characters only.
        let plain = zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
        if !plain || !zone.contains('/') || TimeZone::get(zone).is_err() {
            return Err(format!("`{zone}` is not an IANA time zone"));
        }
        Ok(Self {
            text: text.to_string(),
            first,
            last,
            start_minute,
            end_minute,
            zone: (*zone).to_string(),
        })
    }

    /// Whether a deploy at `instant` is inside the window.
    ///
    /// # Panics
    ///
    /// Never: the zone was looked up when the window was read.
    pub fn contains(&self, instant: Timestamp) -> bool {
        let zone = TimeZone::get(&self.zone).expect("the zone was checked when read");
        let local = instant.to_zoned(zone);
        let day = local.weekday().to_monday_one_offset();
        let (first, last) = (self.first_day(), self.last_day());
        let on_a_day = if first <= last {
            (first..=last).contains(&day)
        } else {
            day >= first || day <= last
        };
        let minute = u32::try_from(local.hour()).unwrap_or(0) * 60
            + u32::try_from(local.minute()).unwrap_or(0);
        on_a_day && minute >= self.start_minute && minute < self.end_minute
    }

    /// The text as the spec wrote it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first day as an ISO weekday number (Monday 1 … Sunday 7, like `date +%u`).
    pub fn first_day(&self) -> i8 {
        self.first.to_monday_one_offset()
    }

    /// The last day as an ISO weekday number.
    pub fn last_day(&self) -> i8 {
        self.last.to_monday_one_offset()
    }

    /// Minutes after local midnight at which the window opens.
    pub fn start_minute(&self) -> u32 {
        self.start_minute
    }

    /// Minutes after local midnight at which the window closes (at most 1440).
    pub fn end_minute(&self) -> u32 {
        self.end_minute
    }

    /// The IANA time zone name.
    pub fn zone(&self) -> &str {
        &self.zone
    }
}

/// `HH:MM`, `00:00` to `24:00`, as minutes after midnight.
fn minute(text: &str) -> Result<u32, String> {
    let not_hh_mm = || format!("`{text}` is not HH:MM");
    let (h, m) = text.split_once(':').ok_or_else(not_hh_mm)?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return Err(not_hh_mm());
    }
    let h: u32 = h.parse().map_err(|_| not_hh_mm())?;
    let m: u32 = m.parse().map_err(|_| not_hh_mm())?;
    if m > 59 || h * 60 + m > DAY_MINUTES {
        return Err(format!("`{text}` is not a time of day"));
    }
    Ok(h * 60 + m)
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Serialized as the spec's text (`charter model` shows what was written).
impl Serialize for Window {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    #[test]
    fn reads_windows() {
        let w = Window::parse("Tue-Thu 09:00-16:00 America/Phoenix").expect("valid");
        assert_eq!(
            (
                w.first_day(),
                w.last_day(),
                w.start_minute(),
                w.end_minute(),
                w.zone()
            ),
            (2, 4, 540, 960, "America/Phoenix")
        );
        let w = Window::parse("Sun 00:00-24:00 Europe/Berlin").expect("valid");
        assert_eq!((w.first_day(), w.last_day(), w.end_minute()), (7, 7, 1440));
    }

    #[test]
    fn rejects_bad_windows() {
        for bad in [
            "Tue-Thu 09:00-16:00",
            "Tues 09:00-16:00 America/Phoenix",
            "Tue 16:00-09:00 America/Phoenix",
            "Tue 9-16 America/Phoenix",
            "Tue 09:00-16:61 America/Phoenix",
            "Tue 09:00-24:01 America/Phoenix",
            "Tue 009:00-16:00 America/Phoenix",
            "Tue +9:00-16:00 America/Phoenix",
            "Tue 09:5-16:00 America/Phoenix",
            "Tue 09:00-16:00 Mars/Olympus",
            "Tue 09:00-16:00 UTC",
            "Tue 09:00-16:00 Bad;Zone/x",
        ] {
            assert!(Window::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contains_local_days_and_hours() {
        // Phoenix keeps UTC-7 all year.
        let w = Window::parse("Tue-Thu 09:00-16:00 America/Phoenix").expect("valid");
        assert!(!w.contains(at("2026-06-02T15:59:00Z")), "Tue 08:59");
        assert!(w.contains(at("2026-06-02T16:00:00Z")), "Tue 09:00");
        assert!(w.contains(at("2026-06-04T22:59:00Z")), "Thu 15:59");
        assert!(!w.contains(at("2026-06-04T23:00:00Z")), "Thu 16:00");
        assert!(!w.contains(at("2026-06-05T16:00:00Z")), "Fri 09:00");
    }

    #[test]
    fn wrapping_days_run_past_sunday() {
        let w = Window::parse("Fri-Mon 10:00-12:00 Europe/Berlin").expect("valid");
        assert!(w.contains(at("2026-06-07T08:30:00Z")), "Sun 10:30");
        assert!(w.contains(at("2026-06-08T08:30:00Z")), "Mon 10:30");
        assert!(!w.contains(at("2026-06-09T08:30:00Z")), "Tue 10:30");
    }
}
