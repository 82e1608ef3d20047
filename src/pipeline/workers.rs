//! Compiler processes (pipeline stage): a large build compiles its documents
//! in child processes of the motebok binary, one per busy worker (a worker
//! compiles a meeting's documents one after the other; see `pool.rs`).
//!
//! Typst's memoization cache is global to a process, with one lock per
//! memoized function and one for all of its accelerators: every worker
//! thread takes them on every memoized call, and a cache trim holds them
//! while it drops what it evicts, so threads that compile at once wait for
//! each other the more, the more cores there are. A process of its own
//! gives each worker its own cache: nothing is shared, nothing waits.
//!
//! The parent loads, plans and renders as before; a worker thread hands its
//! document's source to a child and waits for the PDF or the diagnostics.
//! The child asks for each project file the document reads when it reads it,
//! so a document sees exactly the files it would see compiled in the
//! parent (see [`DocumentWorld`](crate::world::DocumentWorld)).
//!
//! The protocol, over the child's standard input and output: frames of a
//! little-endian `u64` length and that many bytes. The parent sends a
//! [`Request`] (JSON) and the source (JSON: the main file and its shared
//! parts, see [`SplitSource`]); the child answers any number of
//! [`Reply::Need`] (each answered with the file's bytes), then one
//! [`Reply::Done`], followed by the PDF's bytes when it compiled. Before all
//! that, a child says which build of motebok it is ([`Hello`]); the parent
//! uses no child of another build, and compiles in its own process when its
//! first child does not answer so.
//!
//! A child runs in a process group of its own, so Ctrl-C at a terminal
//! reaches the parent only, which stops after the documents being compiled
//! (see [`crate::output::stop_on_signals`]). The build ends its children when
//! it is done with them (they are idle then); a child also ends when its
//! input ends, and within moments of its parent's end however that came (a
//! second Ctrl-C, a kill).

use std::cell::RefCell;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use typst_pdf::PdfStandard;

pub use crate::child::hello_frame;
use crate::child::{
    self, Hello, Started, end_with_parent, expect_frame, parse_json, protocol_output, read_frame,
    write_frame, write_json,
};
use crate::compile::{CompileRequest, Compiled, compile_pdf_with_files};
use crate::diagnostic::Diagnostic;
use crate::model::{DrawnSet, FileBytes, FileMap};
use crate::render::SplitSource;
use crate::world::Typesetter;

/// The hidden subcommand that runs [`serve`].
pub const WORKER_COMMAND: &str = "compile-worker";

/// The environment variable that tells a child how many threads to spread
/// a document's work over (not an argument: a binary of another version,
/// which the child's hello turns away, must not fail on it first).
const THREADS_VARIABLE: &str = "MOTEBOK_COMPILE_THREADS";

/// What the parent sends a child.
#[derive(Serialize, Deserialize)]
enum Order {
    /// Compile this document (its source follows).
    Compile(Request),
    /// Forget what the documents compiled since the last time left in
    /// Typst's cache (the end of a [`Group`]).
    Clear,
}

/// A document to compile, as the parent sends it.
#[derive(Serialize, Deserialize)]
struct Request {
    name: String,
    ident: String,
    date: (i32, u8, u8),
    standards: Vec<PdfStandard>,
    text: bool,
    /// The virtual paths of the project files the document may read.
    files: Vec<String>,
    /// Whether Typst's cache keeps what this document left, for the next
    /// document of its [`Group`]: while the child holds no more than this
    /// many bytes of its own.
    keep: Option<u64>,
}

/// What a child sends.
#[derive(Serialize, Deserialize)]
enum Reply {
    /// The bytes of this project file, please.
    Need(String),
    /// The document is compiled (the PDF's bytes follow), or failed.
    Done(Result<Done, Vec<Diagnostic>>),
}

/// A compiled document, less its PDF's bytes (the next frame).
#[derive(Serialize, Deserialize)]
struct Done {
    pages: usize,
    text: Vec<String>,
    warnings: Vec<Diagnostic>,
}

/// How a build compiles its documents.
pub enum Compiler {
    /// In this process, with its shared cache.
    InProcess(Arc<Typesetter>),
    /// In child processes.
    Processes(Processes),
}

/// What compiles a document.
pub trait Compile {
    /// Compiles `request`, serving it `files`.
    fn compile(
        &self,
        request: CompileRequest<'_>,
        files: FileMap,
    ) -> Result<Compiled, Vec<Diagnostic>>;
}

impl Compile for Compiler {
    fn compile(
        &self,
        request: CompileRequest<'_>,
        files: FileMap,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        match self {
            Compiler::InProcess(typesetter) => {
                compile_pdf_with_files(typesetter.clone(), request, files)
            }
            Compiler::Processes(processes) => processes.compile(request, files),
        }
    }
}

impl Compiler {
    /// A group of documents compiled one after the other (see [`Group`]),
    /// whose child process keeps its cache between them while it holds no
    /// more than `keep_below` bytes of its own.
    pub fn group(&self, keep_below: u64) -> Group<'_> {
        Group {
            compiler: self,
            worker: RefCell::new(None),
            keep_below,
        }
    }
}

/// Documents compiled one after the other by one compiler, which keeps what
/// Typst laid out of one for the next (the documents of a meeting share
/// their summons and case papers, see [`crate::render::split`]) and forgets
/// it when the group ends. In this process, the build's trim of the cache
/// forgets it (see `pool.rs`); in child processes, all of the group goes to
/// one child, told to clear its cache when the group ends, and which clears
/// it before then when it holds more memory than the group allows.
pub struct Group<'a> {
    compiler: &'a Compiler,
    /// The child the group's documents go to, once one was taken.
    worker: RefCell<Option<Worker>>,
    /// The most memory of its own the child keeps its cache with.
    keep_below: u64,
}

impl Compile for Group<'_> {
    fn compile(
        &self,
        request: CompileRequest<'_>,
        files: FileMap,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        let Compiler::Processes(processes) = self.compiler else {
            return self.compiler.compile(request, files);
        };
        let mut held = self.worker.borrow_mut();
        // The group's child, while it runs (one killed meanwhile, by the
        // system short of memory, is replaced, as an idle one would be).
        let running = held
            .take()
            .and_then(|mut w| matches!(w.child.try_wait(), Ok(None)).then_some(w));
        let worker = match running {
            Some(worker) => Ok(worker),
            None => processes.take_idle().map_or_else(|| processes.spawn(), Ok),
        };
        let Ok(mut worker) = worker else {
            return compile_pdf_with_files(Typesetter::shared(), request, files);
        };
        let name = request.name.to_owned();
        match worker.compile(request, &files, Some(self.keep_below)) {
            Ok(result) => {
                *held = Some(worker);
                result
            }
            Err(err) => Err(broken(worker, &err, &name)),
        }
    }
}

impl Drop for Group<'_> {
    fn drop(&mut self) {
        if let (Compiler::Processes(processes), Some(mut worker)) =
            (self.compiler, self.worker.get_mut().take())
        {
            // A child that cannot be told is not used again.
            if worker.clear().is_ok() {
                processes.give_back(worker);
            }
        }
    }
}

/// The error of a document whose child `worker` broke the protocol, or
/// died, with `err`; the child is ended.
fn broken(mut worker: Worker, err: &io::Error, name: &str) -> Vec<Diagnostic> {
    let _ = worker.child.kill();
    let status = worker.child.wait().map(|s| s.to_string());
    let status = status.unwrap_or_else(|e| e.to_string());
    vec![
        Diagnostic::error(format!(
            "the process compiling this document failed ({err}; it ended with {status})"
        ))
        .in_file(std::path::Path::new(name))
        .hint("this is a bug in motebok or Typst, or the system ran out of memory"),
    ]
}

/// Child processes that compile, each taken by one document at a time and
/// started when none is free.
pub struct Processes {
    exe: PathBuf,
    /// The threads each child spreads a document's work over.
    threads: usize,
    idle: Mutex<Vec<Worker>>,
}

/// One child process and its pipes; dropped, the child is ended (it is idle
/// then, or broken).
struct Worker {
    child: Child,
    to: BufWriter<ChildStdin>,
    from: BufReader<ChildStdout>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Processes {
    /// Children running `exe`, the motebok binary, of which one is started
    /// now: `None` when it cannot be, or is not of this build of motebok
    /// (then the build compiles in its own process, as it would without
    /// `exe`).
    pub fn start(exe: PathBuf, threads: usize) -> Option<Processes> {
        let processes = Processes {
            exe,
            threads,
            idle: Mutex::new(Vec::new()),
        };
        let first = processes.spawn().ok()?;
        processes.give_back(first);
        Some(processes)
    }

    fn give_back(&self, worker: Worker) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(worker);
    }

    /// An idle child that is still running (one may have been killed
    /// meanwhile), if any.
    fn take_idle(&self) -> Option<Worker> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(mut worker) = idle.pop() {
            if matches!(worker.child.try_wait(), Ok(None)) {
                return Some(worker);
            }
        }
        None
    }

    fn compile(
        &self,
        request: CompileRequest<'_>,
        files: FileMap,
    ) -> Result<Compiled, Vec<Diagnostic>> {
        let worker = match self.take_idle() {
            Some(worker) => Ok(worker),
            None => self.spawn(),
        };
        let Ok(mut worker) = worker else {
            // No child could be started now (the system is out of
            // processes or memory): this document compiles here.
            return compile_pdf_with_files(Typesetter::shared(), request, files);
        };
        let name = request.name.to_owned();
        match worker.compile(request, &files, None) {
            Ok(result) => {
                self.give_back(worker);
                result
            }
            // A child that broke the protocol, or died, is not used again.
            Err(err) => Err(broken(worker, &err, &name)),
        }
    }

    /// Starts a child and hears its [`Hello`].
    fn spawn(&self) -> io::Result<Worker> {
        let mut command = Command::new(&self.exe);
        command
            .arg(WORKER_COMMAND)
            .env(THREADS_VARIABLE, self.threads.to_string())
            .stderr(Stdio::inherit());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let Started { child, to, from } = child::start(&mut command)?;
        Ok(Worker { child, to, from })
    }
}

impl Worker {
    /// Sends `request` and serves the files the child asks for until it is
    /// done; the child's cache `keep`s what the document left (see
    /// [`Request::keep`]). The outer error: the child or the pipes failed.
    fn compile(
        &mut self,
        request: CompileRequest<'_>,
        files: &FileMap,
        keep: Option<u64>,
    ) -> io::Result<Result<Compiled, Vec<Diagnostic>>> {
        let header = Request {
            name: request.name.to_owned(),
            ident: request.ident.to_owned(),
            date: request.date,
            standards: request.standards.to_vec(),
            text: request.text,
            files: files.keys().cloned().collect(),
            keep,
        };
        write_json(&mut self.to, &Order::Compile(header))?;
        write_json(&mut self.to, &request.source)?;
        self.to.flush()?;
        loop {
            match parse_json::<Reply>(&expect_frame(&mut self.from)?)? {
                Reply::Need(vpath) => {
                    let bytes = files.get(&vpath).map(FileBytes::get);
                    let bytes = bytes.ok_or_else(|| {
                        io::Error::new(io::ErrorKind::InvalidData, format!("asked for {vpath}"))
                    })?;
                    write_frame(&mut self.to, &bytes)?;
                    self.to.flush()?;
                }
                Reply::Done(Err(errors)) => return Ok(Err(errors)),
                Reply::Done(Ok(done)) => {
                    let pdf = expect_frame(&mut self.from)?;
                    return Ok(Ok(Compiled {
                        pdf,
                        pages: done.pages,
                        text: done.text,
                        warnings: done.warnings,
                    }));
                }
            }
        }
    }

    /// Tells the child to clear its cache (it answers nothing).
    fn clear(&mut self) -> io::Result<()> {
        write_json(&mut self.to, &Order::Clear)?;
        self.to.flush()
    }
}

/// The pipes of a child, shared by its loop and the files it fetches while
/// Typst compiles.
struct Pipes {
    from: BufReader<io::Stdin>,
    to: BufWriter<Box<dyn Write + Send>>,
}

/// The child's side: compiles what the parent sends until its input ends;
/// `give_back` returns the memory the allocator holds freed to the system.
///
/// Each document's Typst work runs on the threads the parent asked for (one
/// when there is a worker per core), as on a worker of the parent, with the
/// same deep stack.
pub fn serve(give_back: &(dyn Fn() + Sync)) -> ExitCode {
    let to = match protocol_output() {
        Ok(to) => to,
        Err(err) => {
            eprintln!("motebok {WORKER_COMMAND}: {err}");
            return ExitCode::FAILURE;
        }
    };
    end_with_parent();
    let threads = std::env::var(THREADS_VARIABLE)
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(1);
    if crate::threads::set_threads(Some(threads.max(1))).is_err() {
        return ExitCode::FAILURE;
    }
    let pipes = Arc::new(Mutex::new(Pipes {
        from: BufReader::new(io::stdin()),
        to: BufWriter::new(to),
    }));
    let result = crate::threads::pool().install(|| serve_all(&pipes, give_back));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The parent is gone: there is no one to tell.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("motebok {WORKER_COMMAND}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn serve_all(pipes: &Arc<Mutex<Pipes>>, give_back: &(dyn Fn() + Sync)) -> io::Result<()> {
    {
        let mut p = pipes.lock().unwrap_or_else(|e| e.into_inner());
        write_json(&mut p.to, &Hello::ours())?;
        p.to.flush()?;
    }
    let typesetter = Typesetter::shared();
    // What this process may hold of its own after a document: its share of
    // the build's budget, once a group told it (see `clear_cache`).
    let mut share = GIVE_BACK_ABOVE;
    loop {
        let (request, source) = {
            let mut p = pipes.lock().unwrap_or_else(|e| e.into_inner());
            let Some(header) = read_frame(&mut p.from)? else {
                return Ok(());
            };
            let request = match parse_json::<Order>(&header)? {
                Order::Compile(request) => request,
                Order::Clear => {
                    drop(p);
                    clear_cache(give_back, share);
                    continue;
                }
            };
            let source = parse_json::<SplitSource>(&expect_frame(&mut p.from)?)?;
            (request, source)
        };
        let files = request
            .files
            .iter()
            .map(|vpath| (vpath.clone(), fetched(pipes, vpath)))
            .collect();
        let result = compile_pdf_with_files(
            typesetter.clone(),
            CompileRequest {
                name: &request.name,
                source,
                ident: &request.ident,
                date: request.date,
                standards: &request.standards,
                text: request.text,
            },
            files,
        );
        let mut p = pipes.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(compiled) => {
                let done = Done {
                    pages: compiled.pages,
                    text: compiled.text,
                    warnings: compiled.warnings,
                };
                write_json(&mut p.to, &Reply::Done(Ok(done)))?;
                write_frame(&mut p.to, &compiled.pdf)?;
            }
            Err(errors) => write_json(&mut p.to, &Reply::Done(Err(errors)))?,
        }
        p.to.flush()?;
        drop(p);
        // Where its memory cannot be read, a process keeps its cache for
        // the group (the group's end clears it).
        let over = |limit: u64| own_resident().is_some_and(|own| own > limit);
        if let Some(limit) = request.keep {
            share = limit.max(GIVE_BACK_ABOVE);
        }
        if request.keep.is_none_or(over) {
            clear_cache(give_back, share);
        }
    }
}

/// Clears Typst's cache after a document, or after the last document of a
/// group, as a build of one worker does (see `Trim` in pool.rs). What it
/// held goes back to the system only when the process holds more than
/// `share`: what a case paper needs, or, after a group, the process's share
/// of the build's memory (`Request::keep`). Giving it back after every
/// document or meeting made the next fault it all in again (after every
/// meeting with 2 jobs on the 200-meeting benchmark archive: 6 % more CPU,
/// 1.2 s more system time, 4 % more wall time, for a peak of 197 MiB
/// instead of 216), while keeping all of it made 16 idle children hold what
/// their largest pack needed (16 jobs on the 200-meeting archive: 799 MiB
/// instead of about 670; with 16 jobs the share is this floor).
fn clear_cache(give_back: &(dyn Fn() + Sync), share: u64) {
    crate::world::evict(0);
    if holds_more_than(share) {
        give_back();
    }
}

/// The memory of its own (resident, not mapped from a file) above which a
/// compiler process gives back what it freed after a document. On the
/// examples and the benchmark archive a case paper or a summons leaves at most
/// 25 MiB, and a meeting's pack up to 52 MiB.
const GIVE_BACK_ABOVE: u64 = 32 << 20;

/// Whether this process's resident memory of its own (not the pages mapped
/// from files, such as the binary and its fonts) is above `bytes`; true
/// where that cannot be read.
fn holds_more_than(bytes: u64) -> bool {
    own_resident().is_none_or(|own| own > bytes)
}

#[cfg(target_os = "linux")]
fn own_resident() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let mut pages = statm
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse::<u64>().ok());
    let (resident, shared) = (pages.next()??, pages.next()??);
    // SAFETY: sysconf only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    resident
        .saturating_sub(shared)
        .checked_mul(u64::try_from(page).ok()?)
}

#[cfg(not(target_os = "linux"))]
fn own_resident() -> Option<u64> {
    None
}

/// The file `vpath`, asked of the parent when the document first reads it.
fn fetched(pipes: &Arc<Mutex<Pipes>>, vpath: &str) -> FileBytes {
    let (pipes, vpath) = (pipes.clone(), vpath.to_owned());
    let set = DrawnSet::new(move || {
        let mut p = pipes.lock().unwrap_or_else(|e| e.into_inner());
        let asked = write_json(&mut p.to, &Reply::Need(vpath.clone()))
            .and_then(|()| p.to.flush())
            .and_then(|()| expect_frame(&mut p.from));
        match asked {
            Ok(bytes) => vec![bytes],
            // The parent is gone: there is no one to compile for.
            Err(_) => std::process::exit(1),
        }
    });
    FileBytes::drawn(&set, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child::MAX_FRAME;

    #[test]
    fn frames_come_back_as_written_and_end_cleanly() {
        let mut stream = Vec::new();
        write_frame(&mut stream, b"first").unwrap();
        write_frame(&mut stream, b"").unwrap();
        write_json(&mut stream, &Reply::Need("/ab/c.svg".to_owned())).unwrap();
        let mut from = stream.as_slice();
        assert_eq!(read_frame(&mut from).unwrap().unwrap(), b"first");
        assert_eq!(read_frame(&mut from).unwrap().unwrap(), b"");
        let reply: Reply = parse_json(&expect_frame(&mut from).unwrap()).unwrap();
        assert!(matches!(reply, Reply::Need(path) if path == "/ab/c.svg"));
        assert!(read_frame(&mut from).unwrap().is_none());
        assert!(expect_frame(&mut from).is_err());
    }

    #[test]
    fn a_broken_stream_is_an_error_not_an_allocation() {
        // A frame cut short.
        let mut stream = Vec::new();
        write_frame(&mut stream, b"0123456789").unwrap();
        stream.truncate(12);
        assert!(read_frame(&mut stream.as_slice()).is_err());
        // A length cut short.
        assert!(read_frame(&mut [8u8, 0, 0].as_slice()).is_err());
        // A length no frame has.
        let huge = (MAX_FRAME + 1).to_le_bytes();
        let err = read_frame(&mut huge.as_slice()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // Not JSON of a reply.
        assert!(parse_json::<Reply>(b"{\"Nope\": 1}").is_err());
    }

    /// The memory a compiler process holds of its own is read (Linux): some,
    /// and less than all there is, and more once 64 MiB more is written.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_process_knows_the_memory_it_holds() {
        let before = own_resident().expect("/proc/self/statm reads");
        assert!(before > 0);
        assert!(holds_more_than(0));
        assert!(!holds_more_than(u64::MAX));
        let held = std::hint::black_box(vec![1u8; 64 << 20]);
        let after = own_resident().unwrap();
        // Other tests' threads allocate and free meanwhile: a margin.
        assert!(after >= before + (16 << 20), "{before} -> {after}");
        drop(held);
    }
}
