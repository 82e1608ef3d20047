//! Child processes of the motebok binary: the compiler processes of a large
//! build (see [`crate::pipeline::workers`]) and the processes that draw PDF
//! attachments (see [`crate::load::drawing`]).
//!
//! Both speak in frames over the child's standard input and output: a
//! little-endian `u64` length and that many bytes. A child's first frame is
//! its [`Hello`], the build of motebok it is: the parent uses no child of
//! another build (its binary may have been replaced during a long run).

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde::{Deserialize, Serialize};

/// The largest frame either side accepts (a PDF, a source, a file, a page
/// drawn): more than any document motebok makes, and a bound on what a
/// broken stream makes the other side allocate.
pub(crate) const MAX_FRAME: u64 = 4 << 30;

/// How long a child may take to say [`Hello`], which it says before anything
/// else.
const HELLO_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a child says first: the build of motebok it is.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Hello {
    version: String,
    build: String,
}

impl Hello {
    pub(crate) fn ours() -> Hello {
        Hello {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            build: env!("MOTEBOK_BUILD_ID").to_owned(),
        }
    }
}

/// The first frame a child process of this build of motebok writes.
pub fn hello_frame() -> Vec<u8> {
    let mut frame = Vec::new();
    write_json(&mut frame, &Hello::ours()).expect("a Vec takes any frame");
    frame
}

/// A child started, with its pipes, that said it is this build of motebok.
pub(crate) struct Started {
    pub(crate) child: Child,
    pub(crate) to: BufWriter<ChildStdin>,
    pub(crate) from: BufReader<ChildStdout>,
}

/// Starts `command` with piped standard input and output and hears its
/// [`Hello`]: a child that does not say it within moments, or is of another
/// build, is ended and is an error.
pub(crate) fn start(command: &mut Command) -> io::Result<Started> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let end = |child: &mut Child| {
        let _ = child.kill();
        let _ = child.wait();
    };
    let (Some(to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
        end(&mut child);
        return Err(io::Error::other("no pipes to the child"));
    };
    // Heard on a thread of its own, so that a program that is not
    // motebok, and says nothing, cannot hold the build.
    let (said, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut from = BufReader::new(from);
        let hello = expect_frame(&mut from);
        let _ = said.send((hello, from));
    });
    let Ok((hello, from)) = heard.recv_timeout(HELLO_WAIT) else {
        end(&mut child);
        return Err(io::Error::new(io::ErrorKind::TimedOut, "no hello"));
    };
    let hello = hello.and_then(|hello| parse_json::<Hello>(&hello));
    match hello {
        Ok(hello) if hello == Hello::ours() => Ok(Started {
            child,
            to: BufWriter::new(to),
            from,
        }),
        Ok(hello) => {
            end(&mut child);
            Err(io::Error::other(format!("{hello:?} is not this motebok")))
        }
        Err(err) => {
            end(&mut child);
            Err(err)
        }
    }
}

pub(crate) fn write_frame(to: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    to.write_all(&(bytes.len() as u64).to_le_bytes())?;
    to.write_all(bytes)
}

/// The next frame; `None` at the end of the stream.
pub(crate) fn read_frame(from: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 8];
    // The end of the stream before a frame; one within a frame's length is
    // a stream cut short.
    let first = loop {
        match from.read(&mut len[..1]) {
            Ok(n) => break n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    };
    if first == 0 {
        return Ok(None);
    }
    from.read_exact(&mut len[1..])?;
    let len = u64::from_le_bytes(len);
    let len = usize::try_from(len)
        .ok()
        .filter(|_| len <= MAX_FRAME)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a frame of {len} bytes"),
            )
        })?;
    let mut bytes = vec![0; len];
    from.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

/// The next frame, which must be there.
pub(crate) fn expect_frame(from: &mut impl Read) -> io::Result<Vec<u8>> {
    read_frame(from)?.ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))
}

pub(crate) fn write_json(to: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    write_frame(to, &serde_json::to_vec(value).map_err(io::Error::other)?)
}

pub(crate) fn parse_json<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> io::Result<T> {
    serde_json::from_slice(bytes).map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
}

/// Where the frames go: standard output as the parent made it, while
/// standard output itself is pointed at standard error, so that nothing a
/// library prints can break a frame.
#[cfg(unix)]
pub(crate) fn protocol_output() -> io::Result<Box<dyn Write + Send>> {
    use std::os::fd::FromRawFd;
    // SAFETY: `fcntl(F_DUPFD_CLOEXEC)` on the open descriptor 1 returns a
    // new descriptor, which nothing else owns, or -1.
    let fd = unsafe { libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just made and is owned by nothing else.
    let frames = unsafe { std::fs::File::from_raw_fd(fd) };
    // SAFETY: `dup2` on two open descriptors; descriptor 1 then names what
    // descriptor 2 names.
    if unsafe { libc::dup2(2, 1) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Box::new(frames))
}

#[cfg(not(unix))]
pub(crate) fn protocol_output() -> io::Result<Box<dyn Write + Send>> {
    Ok(Box::new(io::stdout()))
}

/// Ends this process soon after its parent ends: a child that is compiling
/// does not read its input, so it would not see the parent go until the
/// document is done, however long that takes.
#[cfg(unix)]
pub(crate) fn end_with_parent() {
    let parent = std::os::unix::process::parent_id();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(200));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(1);
            }
        }
    });
}

#[cfg(not(unix))]
pub(crate) fn end_with_parent() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_says_which_build_it_is_first() {
        let frame = hello_frame();
        let hello: Hello = parse_json(&expect_frame(&mut frame.as_slice()).unwrap()).unwrap();
        assert_eq!(hello, Hello::ours());
        assert_eq!(hello.version, env!("CARGO_PKG_VERSION"));
    }
}
