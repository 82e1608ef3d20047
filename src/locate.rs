//! Load stage, locating: where each field of a YAML file stands, so that errors
//! found after parsing can name a line.
//!
//! serde tells where a *syntax* or *type* error is; a reference to an unknown
//! member is only found later, on plain values. This index maps every field path
//! (`agenda[3].presenter`) to the position of its value, from a second, event-level
//! parse of the same text.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::Position;

/// Where a parser event stands.
fn position(mark: Marker) -> Position {
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

/// Feeds the events of `source` to `receiver`; whether it parsed (`multi`:
/// documents after the first too).
///
/// Tabs are read as spaces: the loader's parser takes a tab after `key:`
/// or `-` as a separator and this one does not, and the swap keeps every
/// position (a tab in indentation is refused by the loader anyway).
fn read_spaced(source: &str, receiver: &mut impl MarkedEventReceiver, multi: bool) -> bool {
    let spaced;
    let source = if source.contains('\t') {
        spaced = source.replace('\t', " ");
        spaced.as_str()
    } else {
        source
    };
    Parser::new_from_str(source).load(receiver, multi).is_ok()
}

/// The position of the first alias (`*name`) in `source`, if it parses.
pub fn first_alias(source: &str) -> Option<Position> {
    struct Aliases(Option<Position>);
    impl MarkedEventReceiver for Aliases {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            if matches!(ev, Event::Alias(_)) && self.0.is_none() {
                self.0 = Some(position(mark));
            }
        }
    }
    let mut aliases = Aliases(None);
    Parser::new_from_str(source).load(&mut aliases, true).ok()?;
    aliases.0
}

/// The second of two equal keys in one mapping, if `source` has one: where it
/// stands and what it is (serde reports only the mapping, or nothing).
pub fn duplicate_key(source: &str) -> Option<(Position, String)> {
    enum Frame {
        /// The keys seen, and whether the next node is a key.
        Map(HashSet<String>, bool),
        Seq,
    }
    #[derive(Default)]
    struct Finder {
        stack: Vec<Frame>,
        found: Option<(Position, String)>,
    }
    impl Finder {
        /// A node starts in the open collection: whether it is a key.
        fn node(&mut self) -> bool {
            match self.stack.last_mut() {
                Some(Frame::Map(_, key_next)) => std::mem::replace(key_next, !*key_next),
                _ => false,
            }
        }
    }
    impl MarkedEventReceiver for Finder {
        fn on_event(&mut self, ev: Event, mark: Marker) {
            match ev {
                Event::Scalar(text, ..) => {
                    if self.node()
                        && let Some(Frame::Map(keys, _)) = self.stack.last_mut()
                        && !keys.insert(text.clone())
                        && self.found.is_none()
                    {
                        self.found = Some((position(mark), text));
                    }
                }
                Event::Alias(_) => {
                    self.node();
                }
                Event::MappingStart(..) => {
                    self.node();
                    self.stack.push(Frame::Map(HashSet::new(), true));
                }
                Event::SequenceStart(..) => {
                    self.node();
                    self.stack.push(Frame::Seq);
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
    }
    let mut finder = Finder::default();
    read_spaced(source, &mut finder, true).then_some(finder.found)?
}

/// Field paths of one YAML document mapped to positions.
#[derive(Debug, Default)]
pub struct Locator {
    positions: HashMap<String, Position>,
}

impl Locator {
    /// Indexes `source` (tabs read as spaces, see [`read_spaced`]). A
    /// document that does not parse gives an empty index.
    pub fn new(source: &str) -> Locator {
        let mut builder = Builder::default();
        if !read_spaced(source, &mut builder, false) {
            return Locator::default();
        }
        Locator {
            positions: builder.positions,
        }
    }

    /// The position of the value at `path` itself, if the document has one.
    pub fn exact(&self, path: &str) -> Option<Position> {
        self.positions.get(path).copied()
    }

    /// The position of the value at `path`, or of its nearest parent that has one.
    pub fn find(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(pos) = self.positions.get(path) {
                return Some(*pos);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        first: bool,
    },
    Seq {
        path: String,
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    positions: HashMap<String, Position>,
}

impl Builder {
    /// The path of the node starting now, or `None` when the event is a mapping key.
    fn next_path(&mut self, is_scalar: bool, text: &str, position: Position) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
            Some(Frame::Map { path, key, first }) => match key.take() {
                Some(k) if path.is_empty() => Some(k),
                Some(k) => Some(format!("{path}.{k}")),
                None => {
                    // A key. Complex (non-scalar) keys are not used in content.
                    *key = Some(if is_scalar {
                        text.to_owned()
                    } else {
                        String::from("?")
                    });
                    if std::mem::take(first) {
                        // A block mapping is best pointed at by its first key.
                        self.positions.insert(path.clone(), position);
                    }
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let position = position(mark);
        match ev {
            Event::Scalar(text, ..) => {
                if let Some(path) = self.next_path(true, &text, position) {
                    self.positions.insert(path, position);
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.next_path(true, "", position) {
                    self.positions.insert(path, position);
                }
            }
            Event::MappingStart(..) => {
                let path = self.next_path(false, "", position).unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(position);
                self.stack.push(Frame::Map {
                    path,
                    key: None,
                    first: true,
                });
            }
            Event::SequenceStart(..) => {
                let path = self.next_path(false, "", position).unwrap_or_default();
                self.positions.entry(path.clone()).or_insert(position);
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_value_positions() {
        let src = "number: 7/2020\nagenda:\n  - case: 34/20\n    presenter: kvestli\n  - break: Pause\n    duration: 20\n";
        let loc = Locator::new(src);
        assert_eq!(loc.find("number"), Some(Position { line: 1, column: 9 }));
        assert_eq!(
            loc.find("agenda[0].presenter"),
            Some(Position {
                line: 4,
                column: 16
            })
        );
        assert_eq!(
            loc.find("agenda[1].duration"),
            Some(Position {
                line: 6,
                column: 15
            })
        );
        assert_eq!(loc.find("agenda[1]"), Some(Position { line: 5, column: 5 }));
        // Unknown paths fall back to the nearest parent.
        assert_eq!(
            loc.find("agenda[1].title"),
            Some(Position { line: 5, column: 5 })
        );
    }

    #[test]
    fn a_key_written_twice_is_found_where_it_is_repeated() {
        let src = "number: 1\nagenda:\n  - case: 1/24\n    title: En\n    title: To\n  - { case: 2/24, case: 3/24 }\n";
        assert_eq!(
            duplicate_key(src),
            Some((Position { line: 5, column: 5 }, "title".to_owned()))
        );
        // Equal keys in different mappings are not repeated.
        assert_eq!(duplicate_key("a: { x: 1 }\nb: { x: 2 }\nx: 3\n"), None);
        assert_eq!(
            duplicate_key("- { case: 2/24, case: 3/24 }\n"),
            Some((
                Position {
                    line: 1,
                    column: 17
                },
                "case".to_owned()
            ))
        );
    }

    #[test]
    fn flow_style_and_lists_are_indexed() {
        let loc = Locator::new("presenter: [kvestli, { name: Inga }]\n");
        assert_eq!(
            loc.find("presenter[1].name"),
            Some(Position {
                line: 1,
                column: 30
            })
        );
    }
}
