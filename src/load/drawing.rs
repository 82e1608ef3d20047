//! Load stage, drawing: PDF attachments and PDF figures are read and drawn
//! in a child process of the motebok binary, which may use only so much
//! memory and processor time.
//!
//! The walk of `pdf_work` bounds what hayro will do with a page by
//! predicting it; it cannot foresee everything a crafted PDF asks of a
//! reader (PDF functions, shadings, JBIG2 regions, deep page trees, what
//! hayro parses before the walk). A child process can be stopped where a
//! thread cannot: it is started with limits on its address space and its
//! processor time ([`MEMORY`], [`Task::seconds`]), and a PDF that passes
//! them, crashes the reader or overflows its stack ends that process, not
//! motebok. What failed is then an error at the attachment's or figure's
//! field, like any other refusal.
//!
//! The parent sends an [`Order`] and the PDF's bytes; the child says its
//! [`Hello`](crate::child::Hello) first, then an [`Answer`], then, when it
//! drew, one frame per page. Without the binary's path (motebok used as a
//! library, and in unit tests), the same work is done in this process.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hayro_svg::hayro_interpret::InterpreterSettings;
use hayro_svg::hayro_interpret::font::{FontData, FontQuery, StandardFont};
use hayro_svg::hayro_syntax::Pdf;
use hayro_svg::{RenderCache, SvgRenderSettings};
use serde::{Deserialize, Serialize};

use super::pdf_work;
use crate::child::{self, Started, expect_frame, parse_json, read_frame, write_frame, write_json};
use crate::diagnostic::counted;
use crate::model::DrawFailure as Failure;

/// Outcomes remembered by the hash of a PDF and how messages name it.
type Memo<T> = Mutex<BTreeMap<(u128, String), Result<T, String>>>;

/// The hidden subcommand that runs [`serve`].
pub const DRAW_COMMAND: &str = "draw-worker";

/// The most address space a drawing process may map: the binary, its
/// stacks, the allocator's reserves, the PDF, and what drawing takes, which
/// is about half of it. A page of 600 000 glyphs (within `pdf_work`'s
/// operation limit) drew in 1.9 GB resident and failed under 3 GiB of
/// address space; a 49-megapixel scan drew in 0.5 GB.
pub(crate) const MEMORY: u64 = 4 << 30;

/// The most pages an attachment may have: each becomes a page of the pack.
pub(crate) const MAX_ATTACHMENT_PAGES: usize = 300;

/// What the hint of every drawing refusal says.
pub(crate) const HINT: &str = "print it to a new PDF file (or flatten it) and use that";

/// The binary whose drawing processes draw, once `main` said it.
static DRAWER: OnceLock<PathBuf> = OnceLock::new();

/// Draws PDFs from now on in child processes of `exe`, the motebok binary
/// (its hidden subcommand [`DRAW_COMMAND`]).
pub fn draw_in_processes(exe: PathBuf) {
    let _ = DRAWER.set(exe);
}

/// What a drawing process is asked to do with a PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Task {
    /// Read it and check that every page can be drawn within the limits of
    /// `pdf_work`: its page count.
    Survey,
    /// Draw every page.
    DrawAll,
    /// Check and draw page `n` (counted from 1).
    DrawPage(usize),
}

impl Task {
    /// The processor time the task may take, in seconds. Reading and
    /// checking took at most 0.1 s on real attachments; an A4 page scanned at
    /// 600 dpi, at the pixel limit, 1.2 s to draw and typeset; `pdf_work`
    /// bounds what all the pages of a file may take together to about four
    /// such pages.
    fn seconds(self) -> u64 {
        match self {
            Task::Survey => 30,
            Task::DrawPage(_) => 60,
            Task::DrawAll => 120,
        }
    }
}

/// What the parent asks: a task, and what the PDF is called in messages.
#[derive(Serialize, Deserialize)]
struct Order {
    task: Task,
    what: String,
}

/// What a drawing process answers.
#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    /// The PDF's pages can be drawn; it has this many.
    Pages(usize),
    /// This many pages were drawn; each follows in a frame of its own.
    Drawn(usize),
    /// The PDF is refused, with the message that says why.
    Refused(String),
}

impl Failure {
    fn lasting(message: String) -> Failure {
        Failure {
            message,
            lasting: true,
        }
    }
}

/// Remembers for the rest of the process what `work` on the PDF `key`
/// names (its hash, and how messages name it) came to: its lasting failure,
/// and its success when `successes`; up to 4096 outcomes (a few bytes each).
fn remembered<T: Clone + Send + 'static>(
    memo: &'static Memo<T>,
    key: (u128, &str),
    successes: bool,
    work: impl FnOnce() -> Result<T, Failure>,
) -> Result<T, Failure> {
    const HELD: usize = 4096;
    let held = || memo.lock().unwrap_or_else(|e| e.into_inner());
    let key = (key.0, key.1.to_owned());
    if let Some(outcome) = held().get(&key) {
        return outcome.clone().map_err(Failure::lasting);
    }
    let outcome = work();
    let lasting = match &outcome {
        Ok(_) => successes,
        Err(failure) => failure.lasting,
    };
    if lasting {
        let mut held = held();
        if held.len() >= HELD {
            held.clear();
        }
        held.insert(key, outcome.clone().map_err(|f| f.message));
    }
    outcome
}

/// Reads the PDF `bytes` (with their hash) and checks that each of its
/// pages can be drawn: the number of pages. `what` names it in messages.
/// The outcome is remembered for the rest of the process.
pub(crate) fn survey(bytes: &Arc<Vec<u8>>, hash: u128, what: &str) -> Result<usize, String> {
    static SURVEYED: Memo<usize> = Mutex::new(BTreeMap::new());
    let surveyed = remembered(&SURVEYED, (hash, what), true, || match DRAWER.get() {
        None => survey_here(bytes, Some(hash), what).map_err(Failure::lasting),
        Some(exe) => match in_process(exe, Task::Survey, what, bytes)? {
            (Answer::Pages(pages), _) => Ok(pages),
            (Answer::Refused(message), _) => Err(Failure::lasting(message)),
            (answer, _) => Err(unexpected(what, "read", &answer)),
        },
    });
    surveyed.map_err(|failure| failure.message)
}

/// Draws every page of the PDF `bytes` (with their hash), which [`survey`]
/// found to have `pages` pages. A lasting failure is remembered for the
/// rest of the process (drawing the same bytes again, in the next build of
/// watch, would take as long to fail again).
pub(crate) fn draw_all(
    bytes: &Arc<Vec<u8>>,
    hash: u128,
    pages: usize,
    what: &str,
) -> Result<Vec<Vec<u8>>, Failure> {
    /// Only failures are remembered here: drawings are large, and
    /// [`DrawnSet`](crate::model::DrawnSet) keeps those recently made.
    static FAILED: Memo<()> = Mutex::new(BTreeMap::new());
    let mut drawn = Vec::new();
    remembered(&FAILED, (hash, what), false, || {
        let Some(exe) = DRAWER.get() else {
            drawn = draw_all_here(bytes, what).map_err(Failure::lasting)?;
            return Ok(());
        };
        match in_process(exe, Task::DrawAll, what, bytes)? {
            (Answer::Drawn(n), pages_drawn) if n == pages => {
                drawn = pages_drawn;
                Ok(())
            }
            (Answer::Refused(message), _) => Err(Failure::lasting(message)),
            (answer, _) => Err(unexpected(what, "drawn", &answer)),
        }
    })?;
    Ok(drawn)
}

/// Draws page `page` (counted from 1) of the PDF `bytes` (with their hash)
/// as an SVG, the way attachment pages are drawn; `what` names the file in
/// messages. A lasting failure is remembered for the rest of the process
/// (figures are drawn each time their paper is read: in watch, at every
/// build).
pub(crate) fn draw_page(
    bytes: &[u8],
    hash: u128,
    page: usize,
    what: &str,
) -> Result<Vec<u8>, String> {
    /// Failures are remembered here (`successes` is false), drawings in
    /// [`DRAWN`], up to a budget.
    static FAILED: Memo<Vec<u8>> = Mutex::new(BTreeMap::new());
    let key = format!("{what}#page={page}");
    if let Some(svg) = DRAWN.find(hash, &key) {
        return Ok(svg);
    }
    let drawn = remembered(&FAILED, (hash, &key), false, || {
        let Some(exe) = DRAWER.get() else {
            return draw_page_here(bytes, page, what).map_err(Failure::lasting);
        };
        match in_process(exe, Task::DrawPage(page), what, bytes)? {
            (Answer::Drawn(1), mut drawn) if drawn.len() == 1 => Ok(drawn.remove(0)),
            (Answer::Refused(message), _) => Err(Failure::lasting(message)),
            (answer, _) => Err(unexpected(what, "drawn", &answer)),
        }
    });
    let svg = drawn.map_err(|failure| failure.message)?;
    DRAWN.remember(hash, key, &svg);
    Ok(svg)
}

/// The figure pages drawn last (a paper that shows one page ten times, the
/// next build in watch), by the hash of their PDF and how messages name the
/// page, up to 64 MiB of drawings: those used longest ago go first.
static DRAWN: Drawn = Drawn(Mutex::new(std::collections::VecDeque::new()));

/// See [`DRAWN`]: each drawing by its PDF's hash and its page's name.
struct Drawn(Mutex<std::collections::VecDeque<DrawnPage>>);

/// A figure page drawn, by its PDF's hash and its name.
type DrawnPage = ((u128, String), Arc<Vec<u8>>);

impl Drawn {
    const BUDGET: usize = 64 << 20;

    fn find(&self, hash: u128, key: &str) -> Option<Vec<u8>> {
        let mut drawn = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = drawn
            .iter()
            .position(|((h, k), _)| *h == hash && k == key)?;
        let entry = drawn.remove(at)?;
        let svg = entry.1.to_vec();
        drawn.push_back(entry);
        Some(svg)
    }

    fn remember(&self, hash: u128, key: String, svg: &[u8]) {
        if svg.len() > Self::BUDGET {
            return;
        }
        let mut drawn = self.0.lock().unwrap_or_else(|e| e.into_inner());
        drawn.retain(|((h, k), _)| !(*h == hash && *k == key));
        drawn.push_back(((hash, key), Arc::new(svg.to_vec())));
        let mut held: usize = drawn.iter().map(|(_, svg)| svg.len()).sum();
        while held > Self::BUDGET {
            let Some((_, svg)) = drawn.pop_front() else {
                break;
            };
            held -= svg.len();
        }
    }
}

/// The failure of a drawing process that gave `answer`, which is not one
/// for what it was asked (a bug).
fn unexpected(what: &str, done: &str, answer: &Answer) -> Failure {
    Failure {
        message: format!("{what} was not {done}: the drawing process answered {answer:?}"),
        lasting: false,
    }
}

/// [`survey`] in this process; `hash` lets `pdf_work` remember its check.
fn survey_here(bytes: &Arc<Vec<u8>>, hash: Option<u128>, what: &str) -> Result<usize, String> {
    pdf_work::check_syntax(bytes).map_err(|refusal| refusal.message(what))?;
    let pdf = read(bytes.clone(), what)?;
    let pages = pdf.pages().len();
    if pages == 0 || pages > MAX_ATTACHMENT_PAGES {
        return Err(format!(
            "{what} has {pages} pages; an attachment has 1 to {MAX_ATTACHMENT_PAGES}"
        ));
    }
    let checked = match hash {
        Some(hash) => pdf_work::check_all_pages(hash, &pdf),
        None => pdf_work::check(&pdf, 0..pages),
    };
    checked.map_err(|refusal| refusal.message(what))?;
    Ok(pages)
}

/// [`draw_all`] in this process.
fn draw_all_here(bytes: &Arc<Vec<u8>>, what: &str) -> Result<Vec<Vec<u8>>, String> {
    let pdf = read(bytes.clone(), what)?;
    let settings = interpreter_settings();
    let cache = RenderCache::new();
    let drawn: Vec<Vec<u8>> = pdf
        .pages()
        .iter()
        .map(|page| hayro_svg::convert(page, &cache, &settings, &RENDER).into_bytes())
        .collect();
    pdf_work::check_drawn(&drawn, 1).map_err(|refusal| refusal.message(what))?;
    Ok(drawn)
}

/// [`draw_page`] in this process.
fn draw_page_here(bytes: &[u8], page: usize, what: &str) -> Result<Vec<u8>, String> {
    pdf_work::check_syntax(bytes).map_err(|refusal| refusal.message(what))?;
    let pdf = read(Arc::new(bytes.to_vec()), what)?;
    let pages = pdf.pages();
    let count = pages.len();
    let Some(drawn) = page.checked_sub(1).and_then(|i| pages.get(i)) else {
        return Err(format!(
            "{what} has {}, so it has no page {page}",
            counted(count, "page")
        ));
    };
    pdf_work::check(&pdf, [page - 1]).map_err(|refusal| refusal.message(what))?;
    let svg = hayro_svg::convert(drawn, &RenderCache::new(), &interpreter_settings(), &RENDER);
    let svg = svg.into_bytes();
    pdf_work::check_drawn(std::slice::from_ref(&svg), page).map_err(|r| r.message(what))?;
    Ok(svg)
}

fn read(bytes: Arc<Vec<u8>>, what: &str) -> Result<Pdf, String> {
    Pdf::new(bytes).map_err(|err| {
        format!("{what} cannot be read as a PDF ({err:?}); is it damaged or password-protected?")
    })
}

/// Pages are drawn on white.
const RENDER: SvgRenderSettings = SvgRenderSettings {
    bg_color: [255, 255, 255, 255],
};

/// How hayro draws: the 14 standard PDF fonts from Typst's own set.
fn interpreter_settings() -> InterpreterSettings {
    let standard = |font: StandardFont| -> Option<(FontData, u32)> {
        let bytes: &'static [u8] = match font {
            StandardFont::Helvetica => typst_assets::pdf::SANS,
            StandardFont::HelveticaBold => typst_assets::pdf::SANS_BOLD,
            StandardFont::HelveticaOblique => typst_assets::pdf::SANS_ITALIC,
            StandardFont::HelveticaBoldOblique => typst_assets::pdf::SANS_BOLD_ITALIC,
            StandardFont::Courier => typst_assets::pdf::FIXED,
            StandardFont::CourierBold => typst_assets::pdf::FIXED_BOLD,
            StandardFont::CourierOblique => typst_assets::pdf::FIXED_ITALIC,
            StandardFont::CourierBoldOblique => typst_assets::pdf::FIXED_BOLD_ITALIC,
            StandardFont::TimesRoman => typst_assets::pdf::SERIF,
            StandardFont::TimesBold => typst_assets::pdf::SERIF_BOLD,
            StandardFont::TimesItalic => typst_assets::pdf::SERIF_ITALIC,
            StandardFont::TimesBoldItalic => typst_assets::pdf::SERIF_BOLD_ITALIC,
            StandardFont::ZapfDingBats => typst_assets::pdf::DING_BATS,
            StandardFont::Symbol => typst_assets::pdf::SYMBOL,
        };
        Some((Arc::new(bytes), 0))
    };
    InterpreterSettings {
        font_resolver: Arc::new(move |query| match query {
            FontQuery::Standard(s) => standard(*s),
            FontQuery::Fallback(f) => standard(f.pick_standard_font()),
        }),
        cmap_resolver: Arc::new(|_| None),
        warning_sink: Arc::new(|_| {}),
        render_annotations: false,
    }
}

/// The exit code of a drawing process that could not do its work for a
/// reason of its own (no thread, a broken pipe), not the PDF's.
const OWN_FAILURE: u8 = 3;

/// How long, in wall time, a drawing process may run: more than its
/// processor time, for a busy machine, and a bound on one that waits
/// without using the processor (stopped, or stuck).
fn deadline(task: Task) -> Duration {
    Duration::from_secs(2 * task.seconds() + 30)
}

/// Runs `task` on the PDF `bytes` in a drawing process of `exe`: its answer
/// and the pages it drew.
fn in_process(
    exe: &Path,
    task: Task,
    what: &str,
    bytes: &[u8],
) -> Result<(Answer, Vec<Vec<u8>>), Failure> {
    let done = task.done();
    let mut command = Command::new(exe);
    command.arg(DRAW_COMMAND).stderr(Stdio::piped());
    // A process group of its own, as a compiler process: Ctrl-C at a
    // terminal reaches motebok, which lets the work under way finish (the
    // limits bound it), and a drawing process ends with its parent.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let Started {
        mut child,
        mut to,
        mut from,
    } = child::start(&mut command).map_err(|err| Failure {
        message: format!("{what} was not {done}: no drawing process could be started ({err})"),
        lasting: false,
    })?;
    // What the child says on standard error (a failed allocation, a stack
    // overflow): read meanwhile, so that it cannot fill the pipe; the first
    // 64 KiB are kept.
    let said = child.stderr.take().map(|stderr| {
        std::thread::Builder::new().spawn(move || {
            let mut said = Vec::new();
            let mut stderr = stderr;
            let _ = stderr.by_ref().take(64 << 10).read_to_end(&mut said);
            let _ = io::copy(&mut stderr, &mut io::sink());
            String::from_utf8_lossy(&said).into_owned()
        })
    });
    // Ends the child at its deadline, unless told first that it answered;
    // joined before the child is waited for, so its id is never another's.
    let (answered, watch) = std::sync::mpsc::channel::<()>();
    let id = child.id();
    let watchdog = std::thread::Builder::new().spawn(move || {
        let late = matches!(
            watch.recv_timeout(deadline(task)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        );
        if late {
            kill(id);
        }
        late
    });
    // No thread to watch it with (the system is out of threads): it is
    // ended, and the next build tries again.
    let (said, watchdog) = match (said.transpose(), watchdog) {
        (Ok(said), Ok(watchdog)) => (said, watchdog),
        (said, watchdog) => {
            // A watchdog that did start is told first, so that it never
            // ends the process whose id this one had.
            drop(answered);
            drop((said, watchdog));
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure {
                message: format!("{what} was not {done}: no thread to watch its drawing process"),
                lasting: false,
            });
        }
    };
    let order = Order {
        task,
        what: what.to_owned(),
    };
    let talk = |to: &mut io::BufWriter<_>, from: &mut io::BufReader<_>| -> io::Result<_> {
        write_json(to, &order)?;
        write_frame(to, bytes)?;
        to.flush()?;
        let answer: Answer = parse_json(&expect_frame(from)?)?;
        let drawn = match answer {
            Answer::Drawn(n) => (0..n)
                .map(|_| expect_frame(from))
                .collect::<io::Result<_>>()?,
            _ => Vec::new(),
        };
        Ok((answer, drawn))
    };
    let talked = talk(&mut to, &mut from);
    drop(to);
    let _ = answered.send(());
    let late = watchdog.join().unwrap_or(false);
    // A child that answered ends when its input does; one that broke off
    // has ended, or broke the protocol and is ended now.
    if talked.is_err() && !late && !ends_soon(&mut child) {
        let _ = child.kill();
        let _ = child.wait();
        let err = talked.err().map(|e| e.to_string()).unwrap_or_default();
        return Err(Failure {
            message: format!("{what} was not {done}: the drawing process broke off ({err})"),
            lasting: false,
        });
    }
    let status = child.wait();
    let said = said.and_then(|s| s.join().ok()).unwrap_or_default();
    match (talked, status) {
        // Every frame came: whatever ended the child then does not matter.
        (Ok(answered), _) => Ok(answered),
        (_, Ok(_)) if late => Err(Failure {
            message: format!(
                "{what} was not {done}: the drawing process did not finish within {} s",
                deadline(task).as_secs()
            ),
            lasting: false,
        }),
        // Ended well, without its answer: a bug, not the PDF's.
        (Err(err), Ok(status)) if status.success() => Err(Failure {
            message: format!("{what} was not {done}: the drawing process broke off ({err})"),
            lasting: false,
        }),
        (_, Ok(status)) => Err(failed(what, task, status, &said)),
        (_, Err(err)) => Err(Failure {
            message: format!("{what} was not {done}: {err}"),
            lasting: false,
        }),
    }
}

/// Whether `child`, whose output ended, has ended or does within a second
/// (its output closes as it exits, a moment before it has ended).
fn ends_soon(child: &mut std::process::Child) -> bool {
    (0..100).any(|_| {
        let ended = matches!(child.try_wait(), Ok(Some(_)));
        if !ended {
            std::thread::sleep(Duration::from_millis(10));
        }
        ended
    })
}

/// Ends the process `id`, a drawing process not yet waited for.
#[cfg(unix)]
fn kill(id: u32) {
    if let Ok(id) = libc::pid_t::try_from(id) {
        // SAFETY: kill takes two integers; the process is a child of this
        // one that was not waited for, so its id names no other process.
        unsafe { libc::kill(id, libc::SIGKILL) };
    }
}

#[cfg(not(unix))]
fn kill(_id: u32) {}

impl Task {
    /// What the task does with a PDF, as a message says it.
    fn done(self) -> &'static str {
        match self {
            Task::Survey => "read",
            Task::DrawAll | Task::DrawPage(_) => "drawn",
        }
    }
}

/// The failure of a drawing process that ended with `status`, having said
/// `said` on standard error.
fn failed(what: &str, task: Task, status: ExitStatus, said: &str) -> Failure {
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal: Option<i32> = None;
    #[cfg(unix)]
    let (interrupt, xcpu, kill) = (
        [libc::SIGINT, libc::SIGTERM, libc::SIGHUP],
        libc::SIGXCPU,
        libc::SIGKILL,
    );
    #[cfg(not(unix))]
    let (interrupt, xcpu, kill) = ([-1; 3], -1, -1);
    let done = task.done();
    let passing = |why: String| Failure {
        message: format!("{what} was not {done}: {why}"),
        lasting: false,
    };
    let last_said = said.lines().rev().find(|l| !l.trim().is_empty());
    let why = if said.contains("memory allocation of") {
        format!("it needs more than {} GiB of memory", MEMORY >> 30)
    } else if said.contains("overflowed its stack") {
        "it is nested deeper than the PDF reader's stack allows".to_owned()
    } else if signal == Some(xcpu) {
        format!("it takes more than {} s of processor time", task.seconds())
    } else if signal.is_some_and(|s| interrupt.contains(&s)) {
        return passing("interrupted".to_owned());
    } else if signal == Some(kill) {
        // Not its processor time (that ends it with SIGXCPU first): the
        // system, short of memory, or someone else.
        return passing("the drawing process was killed (the system short of memory?)".to_owned());
    } else if status.code() == Some(i32::from(OWN_FAILURE)) {
        let said = last_said.unwrap_or("no reason given");
        return passing(format!("the drawing process failed ({said})"));
    } else {
        let said = last_said.map(|l| format!(": {l}")).unwrap_or_default();
        format!("the PDF reader failed on it ({status}{said})")
    };
    Failure::lasting(format!("{what} cannot be {done}: {why}; {HINT}"))
}

/// The drawing process: says hello, takes one order, sets its limits, does
/// the work and answers.
pub fn serve() -> ExitCode {
    let mut to = match child::protocol_output() {
        Ok(to) => io::BufWriter::new(to),
        Err(err) => {
            eprintln!("motebok {DRAW_COMMAND}: {err}");
            return ExitCode::from(OWN_FAILURE);
        }
    };
    child::end_with_parent();
    let mut from = io::BufReader::new(io::stdin());
    let served = (|| -> io::Result<()> {
        to.write_all(&child::hello_frame())?;
        to.flush()?;
        let Some(order) = read_frame(&mut from)? else {
            return Ok(());
        };
        let order: Order = parse_json(&order)?;
        let bytes = Arc::new(expect_frame(&mut from)?);
        limit(order.task)?;
        let (task, what) = (order.task, order.what.clone());
        // On a thread with the stack the workers of the parent have, where
        // this work was done before it had a process of its own.
        let work = std::thread::Builder::new()
            .stack_size(crate::threads::STACK_SIZE)
            .spawn(move || answer(order.task, &order.what, &bytes))?;
        let (answer, drawn) = match work.join() {
            Ok(answered) => answered,
            Err(panic) => {
                let said = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let done = task.done();
                let message = format!(
                    "{what} cannot be {done}: the PDF reader failed on it ({said}); {HINT}"
                );
                (Answer::Refused(message), Vec::new())
            }
        };
        write_json(&mut to, &answer)?;
        for page in drawn {
            write_frame(&mut to, &page)?;
        }
        to.flush()
    })();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("motebok {DRAW_COMMAND}: {err}");
            ExitCode::from(OWN_FAILURE)
        }
    }
}

/// What the drawing process answers to `task`.
fn answer(task: Task, what: &str, bytes: &Arc<Vec<u8>>) -> (Answer, Vec<Vec<u8>>) {
    let answered = match task {
        Task::Survey => survey_here(bytes, None, what).map(|pages| (Answer::Pages(pages), vec![])),
        Task::DrawAll => {
            draw_all_here(bytes, what).map(|drawn| (Answer::Drawn(drawn.len()), drawn))
        }
        Task::DrawPage(page) => {
            draw_page_here(bytes, page, what).map(|svg| (Answer::Drawn(1), vec![svg]))
        }
    };
    answered.unwrap_or_else(|message| (Answer::Refused(message), Vec::new()))
}

/// Limits this process to [`MEMORY`] of address space and the processor
/// time `task` may take (or to the limits it was started with, where those
/// are lower), and writes no core file when it is stopped.
#[cfg(unix)]
fn limit(task: Task) -> io::Result<()> {
    let lower = |resource, soft: u64, hard: u64| {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes the limits into the struct it is given;
        // setrlimit reads it and only changes this process's limits.
        unsafe {
            if libc::getrlimit(resource, &mut limit) != 0 {
                return Err(io::Error::last_os_error());
            }
            limit.rlim_max = limit.rlim_max.min(hard as libc::rlim_t);
            limit.rlim_cur = limit.rlim_cur.min(soft as libc::rlim_t).min(limit.rlim_max);
            match libc::setrlimit(resource, &limit) {
                0 => Ok(()),
                _ => Err(io::Error::last_os_error()),
            }
        }
    };
    lower(libc::RLIMIT_CORE, 0, 0)?;
    lower(libc::RLIMIT_AS, MEMORY, MEMORY)?;
    // SIGXCPU at the soft limit; SIGKILL a moment later, should it be caught.
    lower(libc::RLIMIT_CPU, task.seconds(), task.seconds() + 2)
}

#[cfg(not(unix))]
fn limit(_task: Task) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A drawing process that failed is told apart by what it said and the
    /// signal that ended it; only an interruption may pass another time.
    #[cfg(unix)]
    #[test]
    fn a_failed_drawing_process_says_what_it_ran_out_of() {
        use std::os::unix::process::ExitStatusExt;
        let signal = |s: i32| ExitStatus::from_raw(s);
        let code = |c: i32| ExitStatus::from_raw(c << 8);
        let what = "attachment `vedlegg/x.pdf`";
        let abort = signal(libc::SIGABRT);
        let lasting = [
            (
                Task::DrawAll,
                abort,
                "memory allocation of 4294967296 bytes failed\n",
                "drawn: it needs more than 4 GiB of memory",
            ),
            (
                Task::Survey,
                abort,
                "\nthread '<unknown>' has overflowed its stack\nfatal runtime error: stack overflow\n",
                "read: it is nested deeper than the PDF reader's stack allows",
            ),
            (
                Task::DrawPage(2),
                signal(libc::SIGXCPU),
                "",
                "drawn: it takes more than 60 s of processor time",
            ),
            (
                Task::DrawAll,
                code(101),
                "thread 'main' panicked at src/x.rs:1:1:\nboom\n",
                "drawn: the PDF reader failed on it (exit status: 101: boom)",
            ),
        ];
        for (task, status, said, why) in lasting {
            assert_eq!(
                failed(what, task, status, said),
                Failure::lasting(format!("{what} cannot be {why}; {HINT}"))
            );
        }
        let passing = [
            (
                Task::DrawAll,
                signal(libc::SIGINT),
                "",
                "drawn: interrupted",
            ),
            // Not for its processor time, which ends it with SIGXCPU.
            (
                Task::Survey,
                signal(libc::SIGKILL),
                "",
                "read: the drawing process was killed (the system short of memory?)",
            ),
            (
                Task::DrawAll,
                code(i32::from(OWN_FAILURE)),
                "motebok draw-worker: Resource temporarily unavailable\n",
                "drawn: the drawing process failed (motebok draw-worker: Resource temporarily unavailable)",
            ),
        ];
        for (task, status, said, why) in passing {
            let failure = failed(what, task, status, said);
            assert_eq!(
                failure,
                Failure {
                    message: format!("{what} was not {why}"),
                    lasting: false,
                }
            );
        }
    }

    /// Lasting failures are remembered, by the bytes' hash and name; a
    /// failure that need not last, and a success unless asked, are not.
    #[test]
    fn lasting_failures_are_remembered_and_others_tried_again() {
        static MEMO: Memo<u8> = Mutex::new(BTreeMap::new());
        let tries = std::cell::Cell::new(0);
        let work = |outcome: Result<u8, Failure>| {
            || {
                tries.set(tries.get() + 1);
                outcome
            }
        };
        let passing = Failure {
            message: "stopped".into(),
            lasting: false,
        };
        let key = (1, "a");
        assert_eq!(
            remembered(&MEMO, key, false, work(Err(passing.clone()))),
            Err(passing)
        );
        assert_eq!(remembered(&MEMO, key, false, work(Ok(7))), Ok(7));
        assert_eq!(
            remembered(&MEMO, key, false, work(Ok(8))),
            Ok(8),
            "not held"
        );
        let lasting = Failure::lasting("too much".into());
        assert_eq!(
            remembered(&MEMO, key, false, work(Err(lasting.clone()))),
            Err(lasting.clone())
        );
        assert_eq!(
            remembered(&MEMO, key, false, work(Ok(9))),
            Err(lasting),
            "held"
        );
        assert_eq!(tries.get(), 4);
        // Another name of the same bytes is its own entry; so are successes
        // when asked.
        assert_eq!(remembered(&MEMO, (1, "b"), true, work(Ok(1))), Ok(1));
        assert_eq!(remembered(&MEMO, (1, "b"), true, work(Ok(2))), Ok(1));
        assert_eq!(tries.get(), 5);
    }

    /// A figure page drawn is found again by its PDF's hash and name, and
    /// the drawings used longest ago go first beyond the budget.
    #[test]
    fn figure_pages_drawn_are_found_again_within_a_budget() {
        let drawn = Drawn(Mutex::new(std::collections::VecDeque::new()));
        let page = |n: u8| vec![n; Drawn::BUDGET / 3];
        drawn.remember(1, "a#page=1".into(), &page(1));
        drawn.remember(2, "a#page=1".into(), &page(2));
        assert_eq!(drawn.find(1, "a#page=1"), Some(page(1)));
        assert_eq!(drawn.find(1, "a#page=2"), None);
        drawn.remember(3, "b#page=1".into(), &page(3));
        drawn.remember(4, "b#page=1".into(), &page(4));
        // 1 was used after 2: 2 went.
        assert_eq!(drawn.find(2, "a#page=1"), None);
        assert_eq!(drawn.find(1, "a#page=1"), Some(page(1)));
        drawn.remember(5, "c".into(), &vec![0; Drawn::BUDGET + 1]);
        assert_eq!(drawn.find(5, "c"), None, "larger than the budget");
    }

    /// In this process (no binary given), an attachment is surveyed and
    /// drawn, and a page beyond its last is refused by name.
    #[test]
    fn without_a_binary_pdfs_are_drawn_in_this_process() {
        let pdf = Arc::new(
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
              2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
              3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n\
              trailer\n<< /Root 1 0 R >>\n%%EOF\n"
                .to_vec(),
        );
        let what = "attachment `a.pdf`";
        assert_eq!(survey(&pdf, 0xd0c, what), Ok(1));
        let drawn = draw_all(&pdf, 0xd0c, 1, what).unwrap();
        assert_eq!(drawn.len(), 1);
        assert!(drawn[0].starts_with(b"<svg"), "{:?}", &drawn[0][..20]);
        assert_eq!(
            draw_page(&pdf, 0xd0c, 2, what),
            Err(format!("{what} has 1 page, so it has no page 2"))
        );
    }
}
