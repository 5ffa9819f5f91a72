//! A progress line on stderr for long runs (`llmcost cost`, `llmcost log --file`).
//!
//! Drawn only when stderr is a terminal, so pipes, files and CI logs never see it; redrawn at
//! most ten times a second and only after the run has lasted a moment, so short runs show
//! nothing. With a known size (a file) it is a bar of bytes read; otherwise (stdin) a line
//! counter. [`Progress::clear`] wipes it before other messages go to stderr.

use cost_core::group_digits as group;
use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// Time between redraws.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// Runs shorter than this never show a bar.
const FIRST_DRAW_AFTER: Duration = Duration::from_millis(200);
/// Characters of the bar itself.
const BAR_WIDTH: usize = 24;

/// The progress of one run over an input.
pub(crate) struct Progress {
    /// `None` when nothing is drawn (stderr is not a terminal).
    state: Option<State>,
}

struct State {
    label: &'static str,
    total_bytes: Option<u64>,
    started: Instant,
    next_draw: Instant,
    drawn: bool,
}

impl Progress {
    /// A progress line labelled `label` (`"cost"`, `"log"`), over `total_bytes` when the input
    /// is a file of known size. Draws nothing unless stderr is a terminal.
    pub(crate) fn new(label: &'static str, total_bytes: Option<u64>) -> Progress {
        Progress::with_terminal(label, total_bytes, io::stderr().is_terminal())
    }

    /// As [`Progress::new`], but drawn only when `terminal` says so.
    pub(crate) fn with_terminal(
        label: &'static str,
        total_bytes: Option<u64>,
        terminal: bool,
    ) -> Progress {
        let started = Instant::now();
        Progress {
            state: terminal.then(|| State {
                label,
                total_bytes: total_bytes.filter(|&n| n > 0),
                started,
                next_draw: started + FIRST_DRAW_AFTER,
                drawn: false,
            }),
        }
    }

    /// Notes that `bytes` bytes and `lines` lines have been read so far; redraws when due.
    #[inline]
    pub(crate) fn update(&mut self, bytes: u64, lines: u64) {
        if let Some(state) = &mut self.state {
            let now = Instant::now();
            if now >= state.next_draw {
                state.next_draw = now + REDRAW_EVERY;
                state.drawn = true;
                let text = render(state, bytes, lines, now);
                let mut err = io::stderr().lock();
                // A progress line that cannot be written is not worth an error.
                let _ = write!(err, "\r{text}\x1b[K");
                let _ = err.flush();
            }
        }
    }

    /// Erases the line, if one is drawn, so another message can take its place; the next
    /// [`Progress::update`] draws it again.
    pub(crate) fn clear(&mut self) {
        if let Some(state) = &mut self.state {
            if state.drawn {
                state.drawn = false;
                let _ = write!(io::stderr().lock(), "\r\x1b[K");
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

fn render(state: &State, bytes: u64, lines: u64, now: Instant) -> String {
    let seconds = now.duration_since(state.started).as_secs_f64();
    let counts = format!("{} lines  {:.1} s", group(lines), seconds);
    match state.total_bytes {
        Some(total) => {
            let fraction = (bytes as f64 / total as f64).clamp(0.0, 1.0);
            let filled = (fraction * BAR_WIDTH as f64).round() as usize;
            format!(
                "llmcost {}: [{}{}] {:>3.0}%  {}/{}  {counts}",
                state.label,
                "#".repeat(filled),
                " ".repeat(BAR_WIDTH - filled),
                fraction * 100.0,
                megabytes(bytes),
                megabytes(total),
            )
        }
        None => format!("llmcost {}: {}  {counts}", state.label, megabytes(bytes)),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_drawn_off_a_terminal() {
        let mut progress = Progress::with_terminal("cost", Some(100), false);
        assert!(progress.state.is_none());
        progress.update(50, 5);
        progress.clear();
    }

    #[test]
    fn a_file_gets_a_bar_and_stdin_a_counter() {
        let started = Instant::now();
        let state = |total_bytes| State {
            label: "log",
            total_bytes,
            started,
            next_draw: started,
            drawn: false,
        };
        let later = started + Duration::from_millis(1500);
        let bar = render(&state(Some(2_000_000)), 1_000_000, 1_234_567, later);
        assert_eq!(
            bar,
            "llmcost log: [############            ]  50%  1.0 MB/2.0 MB  1,234,567 lines  1.5 s"
        );
        let counter = render(&state(None), 3_500_000, 999, later);
        assert_eq!(counter, "llmcost log: 3.5 MB  999 lines  1.5 s");
    }
}
