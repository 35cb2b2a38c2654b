//! Progress of a long copy: a bar on a terminal (indicatif), a plain line
//! every so often otherwise (CI logs), nothing when there is no work.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Lines printed when stderr is not a terminal: about this many.
const LINES: usize = 10;

/// How progress is shown.
pub enum Progress {
    /// An indicatif bar on stderr.
    Bar(ProgressBar),
    /// `imported N/TOTAL` lines on stderr.
    Lines {
        /// Steps done.
        done: usize,
        /// Steps in all.
        total: usize,
    },
}

impl Progress {
    /// Progress over `total` steps, as stderr allows.
    pub fn new(total: usize) -> Progress {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
                bar.set_style(style);
            }
            return Progress::Bar(bar);
        }
        Progress::Lines { done: 0, total }
    }

    /// One step done, on `subject`.
    pub fn step(&mut self, subject: &str) {
        match self {
            Progress::Bar(bar) => {
                bar.set_message(subject.to_owned());
                bar.inc(1);
            }
            Progress::Lines { done, total } => {
                *done += 1;
                let every = (*total / LINES).max(1);
                if *done % every == 0 || done == total {
                    eprintln!("imported {done}/{total} versions ({subject})");
                }
            }
        }
    }

    /// Ends the bar.
    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
