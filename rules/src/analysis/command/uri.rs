//! Connection URIs (`postgres://u:pw@db:5432/app`, `redis://`, `mongodb://`, `amqp://`,
//! `http://`...) and libpq `key=value` connection strings, found in script words and in
//! `envVariables` values, each part with its own span: the host token alone can be pointed at.

use hlint_schema::Span;

use super::script::ParsedScript;
use super::tools::{scheme_info, Service, URI_SCHEMES};
use super::words::{ExpansionKind, Word};
use super::EnvVar;

/// One part of a URI as written (percent-escapes are kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UriPart {
    pub text: String,
    pub span: Span,
    /// True when the part holds an expansion (`$HOST`, `<+secrets...>`).
    pub dynamic: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriForm {
    /// `scheme://user:password@host:port/path?query`.
    Uri,
    /// libpq `host=db port=5432 dbname=app` (scheme empty).
    KeyValue,
}

/// Where a URI was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UriOrigin {
    /// In a word of the script (of the invocation, when the word is an argument).
    Script { invocation: Option<usize> },
    /// In the value of the step's `envVariables` entry `name`.
    StepEnv { name: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionUri {
    pub form: UriForm,
    /// The whole URI as it reads after quote removal.
    pub text: String,
    pub span: Span,
    pub scheme: UriPart,
    pub user: Option<UriPart>,
    pub password: Option<UriPart>,
    /// The first host (a multi-host `h1:1,h2:2` list keeps the first).
    pub host: Option<UriPart>,
    pub port: Option<UriPart>,
    /// The path without its leading `/` (the database for database schemes).
    pub path: Option<UriPart>,
    pub query: Option<UriPart>,
    pub origin: UriOrigin,
}

impl ConnectionUri {
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// The service of the scheme (`postgresql` -> Postgres); libpq strings are Postgres.
    pub fn service(&self) -> Option<Service> {
        match self.form {
            UriForm::KeyValue => Some(Service::Postgres),
            UriForm::Uri => scheme_info(&self.scheme.text).map(|(service, _)| service),
        }
    }

    /// The database: the path of a database URI (`/app` -> `app`, redis `/2` -> `2`).
    pub fn database(&self) -> Option<&UriPart> {
        match self.service()? {
            Service::Http | Service::Tcp => None,
            _ => self.path.as_ref().filter(|p| !p.text.is_empty()),
        }
    }

    /// The port as a number, when written and static.
    pub fn port_number(&self) -> Option<u16> {
        self.port
            .as_ref()
            .filter(|p| !p.dynamic)
            .and_then(|p| p.text.parse().ok())
    }

    /// The port the scheme uses when none is written.
    pub fn default_port(&self) -> Option<u16> {
        match self.form {
            UriForm::KeyValue => Some(5432),
            UriForm::Uri => scheme_info(&self.scheme.text).map(|(_, port)| port),
        }
    }
}

/// Positions of `text` not inside `${...}`, `$(...)` or `<+...>`.
fn top_level_mask(text: &str) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut mask = vec![true; bytes.len()];
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let opener = match (bytes[i], bytes.get(i + 1)) {
            (b'$', Some(b'{')) => Some(b'}'),
            (b'$', Some(b'(')) => Some(b')'),
            (b'<', Some(b'+')) => Some(b'>'),
            _ => None,
        };
        if let Some(close) = opener {
            stack.push(close);
            mask[i] = false;
            mask[i + 1] = false;
            i += 2;
            continue;
        }
        if !stack.is_empty() {
            mask[i] = false;
            if stack.last() == Some(&bytes[i]) {
                stack.pop();
            }
        }
        i += 1;
    }
    mask
}

/// Characters that end a URI inside a longer text.
fn ends_uri(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'`' | b';' | b'|' | b'&' | b'(' | b')' | b'<' | b'>' | b'\\'
        )
}

/// Every URI with a known scheme in `text`. `dynamic(start, end)` tells whether a range
/// holds an expansion, `span(start, end)` where a range is written.
pub fn find_uris(
    text: &str,
    dynamic: &dyn Fn(usize, usize) -> bool,
    span: &dyn Fn(usize, usize) -> Span,
    origin: &UriOrigin,
) -> Vec<ConnectionUri> {
    find_uris_at(text, dynamic, span, origin)
        .into_iter()
        .map(|(_, uri)| uri)
        .collect()
}

/// [`find_uris`] with the offset in `text` where each URI starts.
fn find_uris_at(
    text: &str,
    dynamic: &dyn Fn(usize, usize) -> bool,
    span: &dyn Fn(usize, usize) -> Span,
    origin: &UriOrigin,
) -> Vec<(usize, ConnectionUri)> {
    let mut found = Vec::new();
    if !has_scheme_separator(text) {
        return found;
    }
    let bytes = text.as_bytes();
    let mask = top_level_mask(text);
    let mut from = 0;
    while let Some(at) = text[from..].find("://").map(|p| p + from) {
        from = at + 3;
        let scheme_start = text[..at]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let scheme = &text[scheme_start..at];
        if !URI_SCHEMES
            .iter()
            .any(|(name, _, _)| name.eq_ignore_ascii_case(scheme))
        {
            continue;
        }
        let mut end = at + 3;
        while end < bytes.len() && !(mask[end] && ends_uri(bytes[end])) {
            end += 1;
        }
        if let Some(uri) = parse_uri(text, &mask, scheme_start, at, end, dynamic, span, origin) {
            from = end;
            found.push((scheme_start, uri));
        }
    }
    found
}

#[allow(clippy::too_many_arguments)]
fn parse_uri(
    text: &str,
    mask: &[bool],
    start: usize,
    colon: usize,
    end: usize,
    dynamic: &dyn Fn(usize, usize) -> bool,
    span: &dyn Fn(usize, usize) -> Span,
    origin: &UriOrigin,
) -> Option<ConnectionUri> {
    let part = |s: usize, e: usize| -> Option<UriPart> {
        (s < e).then(|| UriPart {
            text: text[s..e].to_owned(),
            span: span(s, e),
            dynamic: dynamic(s, e),
        })
    };
    let top = |i: usize| mask.get(i).copied().unwrap_or(true);
    let find = |from: usize, to: usize, set: &[u8]| -> Option<usize> {
        (from..to).find(|&i| top(i) && set.contains(&text.as_bytes()[i]))
    };
    let authority_start = colon + 3;
    let authority_end = find(authority_start, end, b"/?#").unwrap_or(end);
    let at_sign = (authority_start..authority_end)
        .rev()
        .find(|&i| top(i) && text.as_bytes()[i] == b'@');
    let (user, password, host_start) = match at_sign {
        Some(at) => {
            let colon = find(authority_start, at, b":");
            match colon {
                Some(c) => (
                    part(authority_start, c),
                    part(c + 1, at).or_else(|| {
                        Some(UriPart {
                            text: String::new(),
                            span: span(c + 1, c + 1),
                            dynamic: false,
                        })
                    }),
                    at + 1,
                ),
                None => (part(authority_start, at), None, at + 1),
            }
        }
        None => (None, None, authority_start),
    };
    // The first host of a `h1:p1,h2:p2` list.
    let host_list_end = find(host_start, authority_end, b",").unwrap_or(authority_end);
    let (host_end, port_start) = if text.as_bytes().get(host_start) == Some(&b'[') {
        let close = find(host_start, host_list_end, b"]").map_or(host_list_end, |c| c + 1);
        let port = (text.as_bytes().get(close) == Some(&b':')).then_some(close + 1);
        (close, port)
    } else {
        match find(host_start, host_list_end, b":") {
            Some(c) => (c, Some(c + 1)),
            None => (host_list_end, None),
        }
    };
    let host = part(host_start, host_end);
    let port = port_start.and_then(|p| part(p, host_list_end));
    let (path, query) = if authority_end < end && text.as_bytes()[authority_end] == b'/' {
        let path_end = find(authority_end, end, b"?#").unwrap_or(end);
        let query = (path_end < end && text.as_bytes()[path_end] == b'?')
            .then(|| part(path_end + 1, find(path_end, end, b"#").unwrap_or(end)))
            .flatten();
        (
            part(authority_end + 1, path_end).or_else(|| {
                Some(UriPart {
                    text: String::new(),
                    span: span(authority_end + 1, authority_end + 1),
                    dynamic: false,
                })
            }),
            query,
        )
    } else if authority_end < end && text.as_bytes()[authority_end] == b'?' {
        (None, part(authority_end + 1, end))
    } else {
        (None, None)
    };
    Some(ConnectionUri {
        form: UriForm::Uri,
        text: text[start..end].to_owned(),
        span: span(start, end),
        scheme: part(start, colon)?,
        user,
        password,
        host,
        port,
        path,
        query,
        origin: origin.clone(),
    })
}

/// A libpq connection string (`host=db port=5432 dbname=app user=u password=p`), when
/// `text` is one.
pub fn parse_conninfo(
    text: &str,
    dynamic: &dyn Fn(usize, usize) -> bool,
    span: &dyn Fn(usize, usize) -> Span,
    origin: &UriOrigin,
) -> Option<ConnectionUri> {
    const KEYS: &[&str] = &[
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "sslmode",
        "connect_timeout",
        "application_name",
        "options",
        "service",
        "target_session_attrs",
    ];
    let bytes = text.as_bytes();
    let mut uri = ConnectionUri {
        form: UriForm::KeyValue,
        text: text.to_owned(),
        span: span(0, text.len()),
        scheme: UriPart {
            text: String::new(),
            span: span(0, 0),
            dynamic: false,
        },
        user: None,
        password: None,
        host: None,
        port: None,
        path: None,
        query: None,
        origin: origin.clone(),
    };
    let mut i = 0;
    let mut pairs = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &text[key_start..i];
        if bytes.get(i) != Some(&b'=') || !KEYS.contains(&key) {
            return None;
        }
        i += 1;
        let (value_start, value_end) = if bytes.get(i) == Some(&b'\'') {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j] != b'\'' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            i = (j + 1).min(bytes.len());
            (start, j.min(bytes.len()))
        } else {
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            (start, i)
        };
        let part = UriPart {
            text: text[value_start..value_end].to_owned(),
            span: span(value_start, value_end),
            dynamic: dynamic(value_start, value_end),
        };
        pairs += 1;
        match key {
            "host" | "hostaddr" if uri.host.is_none() => uri.host = Some(part),
            "port" => uri.port = Some(part),
            "dbname" => uri.path = Some(part),
            "user" => uri.user = Some(part),
            "password" => uri.password = Some(part),
            _ => {}
        }
    }
    (pairs > 0).then_some(uri)
}

/// Whether `text` holds `://`. Asked of every word of every script, most of them short:
/// `str::contains` sets up a substring searcher each time, which costs more than the scan.
pub(super) fn has_scheme_separator(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|colon| bytes[colon + 1..].starts_with(b"//"))
}

/// URIs in the value of a word (not inside its `$(...)`: the command inside has its own words).
pub fn uris_in_word(word: &Word, origin: &UriOrigin) -> Vec<ConnectionUri> {
    if !has_scheme_separator(&word.value) {
        return Vec::new();
    }
    let inner_command = |at: usize| {
        word.expansions.iter().any(|e| {
            matches!(
                e.kind,
                ExpansionKind::CommandSubstitution
                    | ExpansionKind::ProcessSubstitution
                    | ExpansionKind::Arithmetic
            ) && e.value_start <= at
                && at < e.value_end
        })
    };
    find_uris_at(
        &word.value,
        &|s, e| word.is_dynamic_in(s, e),
        &|s, e| word.value_span(s, e),
        origin,
    )
    .into_iter()
    .filter(|(start, _)| !inner_command(*start))
    .map(|(_, uri)| uri)
    .collect()
}

/// Every URI of the script's words and of the step's environment, without duplicates.
pub fn collect(script: &ParsedScript, env: &[EnvVar]) -> Vec<ConnectionUri> {
    let mut uris: Vec<ConnectionUri> = Vec::new();
    let nested_words: std::collections::HashSet<(usize, usize)> = script
        .nested
        .iter()
        .map(|n| (n.invocation, n.word))
        .collect();
    for (index, invocation) in script.invocations.iter().enumerate() {
        for (w, word) in invocation.words.iter().enumerate() {
            if nested_words.contains(&(index, w)) {
                continue;
            }
            uris.extend(uris_in_word(
                word,
                &UriOrigin::Script {
                    invocation: Some(index),
                },
            ));
        }
    }
    for assignment in &script.assignments {
        if assignment.invocation.is_some()
            && assignment.kind == super::script::AssignmentKind::EnvWrapper
        {
            // The same text is an argument word of its invocation.
            continue;
        }
        if let Some(value) = &assignment.value {
            uris.extend(uris_in_word(
                value,
                &UriOrigin::Script {
                    invocation: assignment.invocation,
                },
            ));
        }
    }
    for redirect in &script.redirects {
        if let Some(target) = &redirect.target {
            uris.extend(uris_in_word(
                target,
                &UriOrigin::Script {
                    invocation: redirect.invocation,
                },
            ));
        }
    }
    for var in env {
        let base = var.span.start;
        let expressions = super::harness::expression_ranges(&var.value);
        uris.extend(find_uris(
            &var.value,
            &|s, e| expressions.iter().any(|&(a, b)| a < e && s < b),
            &|s, e| Span::new(base + s, base + e),
            &UriOrigin::StepEnv {
                name: var.name.clone(),
            },
        ));
    }
    uris.sort_by_key(|u| (u.span.start, u.span.end));
    uris.dedup_by(|a, b| a.span == b.span);
    uris
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ConnectionUri {
        let uris = find_uris(
            text,
            &|s, e| text[s..e].contains('$'),
            &|s, e| Span::new(s, e),
            &UriOrigin::Script { invocation: None },
        );
        assert_eq!(uris.len(), 1, "{text}");
        uris.into_iter().next().unwrap()
    }

    #[test]
    fn the_scheme_separator_is_found_where_str_contains_finds_it() {
        for text in [
            "",
            ":",
            "://",
            "a:/",
            "a:/b://",
            "::://",
            "postgres://db",
            "x:y:/z",
            "é://",
            "a:\u{e9}//",
            "redis:",
            "host:5432",
        ] {
            assert_eq!(has_scheme_separator(text), text.contains("://"), "{text:?}");
        }
    }

    fn at(text: &str, part: &Option<UriPart>) -> String {
        let part = part.as_ref().unwrap();
        text[part.span.start..part.span.end].to_owned()
    }

    #[test]
    fn full_postgres_uri() {
        let text = "DATABASE_URL=postgres://u:pw@sg1_db:5433/app?sslmode=disable";
        let uri = parse(text);
        assert_eq!(uri.scheme.text, "postgres");
        assert_eq!(at(text, &uri.user), "u");
        assert_eq!(at(text, &uri.password), "pw");
        assert_eq!(at(text, &uri.host), "sg1_db");
        assert_eq!(at(text, &uri.port), "5433");
        assert_eq!(uri.database().unwrap().text, "app");
        assert_eq!(uri.query.as_ref().unwrap().text, "sslmode=disable");
        assert_eq!(uri.port_number(), Some(5433));
        assert_eq!(uri.service(), Some(Service::Postgres));
    }

    #[test]
    fn partial_and_odd_uris() {
        let uri = parse("redis://cache");
        assert_eq!(uri.host.unwrap().text, "cache");
        assert!(uri.port.is_none() && uri.user.is_none() && uri.path.is_none());

        let uri = parse("postgresql:///db");
        assert!(uri.host.is_none());
        assert_eq!(uri.path.unwrap().text, "db");

        let uri = parse("mongodb://a:1,b:2/admin");
        assert_eq!(uri.host.unwrap().text, "a");
        assert_eq!(uri.port.unwrap().text, "1");

        let uri = parse("http://[::1]:8080/healthz");
        assert_eq!(uri.port_number(), Some(8080));
        assert_eq!(uri.host.as_ref().unwrap().text, "[::1]");
        assert!(uri.database().is_none());

        let uri = parse("amqp://guest@rabbit");
        assert!(!uri.has_password());
        assert_eq!(uri.user.unwrap().text, "guest");
    }

    #[test]
    fn expansions_inside_stay_in_their_part() {
        let text = "postgres://$U:${PW:-x}@${HOST}:${PORT:-5432}/db other";
        let uri = parse(text);
        assert!(uri.user.as_ref().unwrap().dynamic);
        assert_eq!(at(text, &uri.host), "${HOST}");
        assert_eq!(at(text, &uri.port), "${PORT:-5432}");
        assert_eq!(uri.path.unwrap().text, "db");
        assert!(uri.text.ends_with("/db"));
    }

    #[test]
    fn unknown_schemes_are_ignored() {
        let uris = find_uris(
            "ftp://x s3://y jdbc:postgresql://db/x",
            &|_, _| false,
            &|s, e| Span::new(s, e),
            &UriOrigin::Script { invocation: None },
        );
        assert_eq!(uris.len(), 1);
        assert_eq!(uris[0].host.as_ref().unwrap().text, "db");
    }

    #[test]
    fn libpq_connection_strings() {
        let text = "host=db port=5433 dbname='my db' user=u password=p";
        let uri = parse_conninfo(
            text,
            &|_, _| false,
            &|s, e| Span::new(s, e),
            &UriOrigin::Script { invocation: None },
        )
        .unwrap();
        assert_eq!(at(text, &uri.host), "db");
        assert_eq!(uri.port_number(), Some(5433));
        assert_eq!(uri.path.unwrap().text, "my db");
        assert!(uri.password.is_some());
        assert!(parse_conninfo(
            "mydb",
            &|_, _| false,
            &|s, e| Span::new(s, e),
            &UriOrigin::Script { invocation: None }
        )
        .is_none());
    }
}
