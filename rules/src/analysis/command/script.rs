//! What a parsed script holds: every command invocation with its words and control context,
//! the variables it sets and reads, its redirections and loops. Plain data: every span is a
//! byte range of the script (of the YAML file once mapped, see `mapping`).

use hlint_schema::Span;

use super::words::Word;

/// The shell that reads a piece of script: `sh` (dash or busybox on most images) or bash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Interpreter {
    #[default]
    Sh,
    Bash,
}

/// A parsed `sh`/`bash` script.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedScript {
    /// Every simple command, in source order (nested `sh -c` scripts and `$(...)` included).
    pub invocations: Vec<Invocation>,
    /// Every variable assignment, in source order (command prefixes included).
    pub assignments: Vec<Assignment>,
    /// Every variable read (`$PGHOST`, `${PGPORT:-5432}`, names inside `$((...))`).
    pub reads: Vec<VariableRead>,
    /// Every redirection (`> file`, `< /dev/tcp/db/5432`, `<<EOF`).
    pub redirects: Vec<Redirect>,
    /// Every `for`, `while` and `until` loop, outer loops before the loops they hold.
    pub loops: Vec<Loop>,
    /// Scripts given as strings to `sh -c`, `bash -c` and `eval`, parsed too.
    pub nested: Vec<NestedScript>,
    /// Parts the bash parser could not read; what it could read is still here.
    pub errors: Vec<SyntaxError>,
    /// The Harness expressions (`<+...>`) found in the script.
    pub harness_expressions: Vec<Span>,
    /// The number of top-level statements.
    pub top_level_count: usize,
    /// True when nesting went deeper than hlint follows (the deeper parts are left out).
    pub truncated: bool,
}

/// One simple command: `PGPASSWORD=x timeout 5 psql -h db`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Invocation {
    /// From the first prefix assignment to the last argument.
    pub span: Span,
    /// The command's words as written, the program first (`timeout`, `5`, `psql`, `-h`, `db`).
    pub words: Vec<Word>,
    /// The index in `words` of the program that really runs, after wrappers such as
    /// `timeout 5`, `sudo`, `env A=b`, `exec`, `nohup` (0 when there is no wrapper).
    pub command_index: usize,
    /// The basename of `words[command_index]` when it is static (`/usr/bin/psql` -> `psql`).
    pub program: Option<String>,
    /// The wrappers before the program, outermost first.
    pub wrappers: Vec<Wrapper>,
    /// Indices in `ParsedScript::assignments` of the variables set for this command only
    /// (`PGPASSWORD=x psql`, `env PGHOST=db psql`).
    pub env: Vec<usize>,
    /// Indices in `ParsedScript::redirects` of this command's redirections.
    pub redirects: Vec<usize>,
    pub context: Context,
}

impl Invocation {
    /// The program word that really runs.
    pub fn name(&self) -> Option<&Word> {
        self.words.get(self.command_index)
    }

    /// The program's arguments (after wrappers).
    pub fn args(&self) -> &[Word] {
        self.words.get(self.command_index + 1..).unwrap_or(&[])
    }

    pub fn is(&self, program: &str) -> bool {
        self.program.as_deref() == Some(program)
    }
}

/// A command that runs another command given as its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Wrapper {
    pub program: String,
    /// The wrapper's program word.
    pub span: Span,
    /// For `timeout`: the limit in seconds, when static.
    pub timeout: Option<Timeout>,
}

/// A `timeout DURATION` around a command.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeout {
    pub seconds: Option<f64>,
    /// The duration word.
    pub span: Span,
}

/// Where a command sits in the script's control flow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// Enclosing loops (indices in `ParsedScript::loops`), outermost first.
    pub loops: Vec<usize>,
    /// In the condition of the innermost loop (`until pg_isready; do ...`).
    pub loop_condition: bool,
    /// In an `if`/`elif`/`else` (its condition or a branch).
    pub if_statement: bool,
    /// In an `&&`/`||` list.
    pub and_or: bool,
    /// Its exit status is tested (an `if`/`while` condition, left of `&&`/`||`, after `!`).
    pub tested: bool,
    /// In a `case` arm.
    pub case_arm: bool,
    /// In a pipeline (`a | b`).
    pub pipeline: bool,
    /// In a `( ... )` subshell.
    pub subshell: bool,
    /// In `$(...)`, backquotes or `<(...)`.
    pub command_substitution: bool,
    /// Run in the background (`cmd &`).
    pub background: bool,
    /// Inside the body of this function.
    pub function: Option<String>,
    /// The `sh -c` / `bash -c` / `eval` invocations whose string holds this command,
    /// outermost first (indices in `ParsedScript::invocations`).
    pub nested_in: Vec<usize>,
    /// The shell that reads this command.
    pub interpreter: Interpreter,
    /// The innermost `timeout N` around this command's script (`timeout 60 sh -c '...'`).
    pub timeout: Option<Timeout>,
    /// The index of the top-level statement this command belongs to.
    pub top_level_index: usize,
}

impl Context {
    pub fn in_loop(&self) -> bool {
        !self.loops.is_empty()
    }

    /// Not in a loop, condition, branch, function or background job: it runs exactly once,
    /// in order (pipelines, subshells and nested scripts still count as straight-line).
    pub fn is_straight_line(&self) -> bool {
        self.loops.is_empty()
            && !self.if_statement
            && !self.case_arm
            && self.function.is_none()
            && !self.background
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentKind {
    /// `NAME=value`.
    Plain,
    /// `export NAME=value` or `export NAME`.
    Export,
    /// `declare`/`typeset` (exported with `-x`).
    Declare,
    Local,
    Readonly,
    /// `NAME=value cmd`: for that command only.
    CommandPrefix,
    /// `env NAME=value cmd`: for that command only.
    EnvWrapper,
    /// `read NAME`: set from input.
    Read,
    /// `for NAME in ...`.
    ForVariable,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub name: String,
    pub name_span: Span,
    /// The value as a word (`None` for `export NAME`, `read NAME`, `for NAME`).
    pub value: Option<Word>,
    pub kind: AssignmentKind,
    /// True when the variable is in the environment of later commands from here on
    /// (`export`, `declare -x`, `set -a`, a later `export NAME`, or a command prefix).
    pub exported: bool,
    pub span: Span,
    /// For `CommandPrefix`, `EnvWrapper` and `Read`: the invocation.
    pub invocation: Option<usize>,
    pub context: Context,
}

impl Assignment {
    /// True for assignments that set a shell variable for the rest of the script.
    pub fn sets_variable(&self) -> bool {
        !matches!(
            self.kind,
            AssignmentKind::CommandPrefix | AssignmentKind::EnvWrapper
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct VariableRead {
    pub name: String,
    /// The expansion (`$PGHOST`, `${PGPORT:-5432}`) or the bare name inside `$((...))`.
    pub span: Span,
    /// The static default of `${NAME:-default}`.
    pub default: Option<String>,
    /// In a here-document body.
    pub in_heredoc: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redirect {
    pub span: Span,
    /// `>`, `>>`, `<`, `<>`, `>&`, `<<`, `<<-`, `<<<`, `&>`...
    pub operator: String,
    /// The file descriptor before the operator (`3` in `3<>/dev/tcp/...`).
    pub descriptor: Option<String>,
    /// The target (file name, here-string word, heredoc delimiter).
    pub target: Option<Word>,
    /// The command the redirection belongs to, when it belongs to a simple command.
    pub invocation: Option<usize>,
    pub context: Context,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    /// `for NAME in ...` (and `select`).
    For,
    /// `for ((init; cond; step))`.
    CFor,
    While,
    Until,
}

/// What makes a loop end even if what it waits for never happens.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopBound {
    /// `for x in a b c`: the listed words (before expansion).
    Items { count: usize },
    /// `for i in $(seq 1 30)` or `for i in {1..30}`.
    Sequence { count: Option<u64> },
    /// A variable changed in the loop is compared with a limit (`[ $n -ge 30 ] && exit 1`,
    /// `while [ $i -lt 30 ]`, `for ((i=0; i<30; i++))`, `$SECONDS`, `date`).
    Counter { variable: String },
    /// The loop runs inside `timeout N` (`timeout 60 sh -c 'until ...; done'`).
    Timeout { seconds: Option<f64> },
    /// Nothing ends the loop but success.
    Unbounded,
}

impl LoopBound {
    pub fn is_bounded(&self) -> bool {
        !matches!(self, LoopBound::Unbounded)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Loop {
    pub kind: LoopKind,
    /// From the keyword to `done`.
    pub span: Span,
    /// `for`, `while` or `until`.
    pub keyword_span: Span,
    pub bound: LoopBound,
    /// What gives the bound (the list, the comparison, the timeout duration).
    pub bound_span: Option<Span>,
    /// The enclosing loop.
    pub parent: Option<usize>,
    /// The loop's own context (where the loop statement sits).
    pub context: Context,
}

/// A script given as a string: `sh -c '...'`, `bash -c "..."`, `eval "..."`.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedScript {
    /// The `sh`/`bash`/`eval` invocation.
    pub invocation: usize,
    /// The index of the script word in the invocation's `words`.
    pub word: usize,
    pub interpreter: Interpreter,
    /// The script text (the word's value).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    /// For a missing token: what is missing (`done`, `fi`, `"`).
    pub missing: Option<String>,
}

impl ParsedScript {
    /// The invocations running `program` (after wrappers).
    pub fn invocations_of<'a>(&'a self, program: &'a str) -> impl Iterator<Item = &'a Invocation> {
        self.invocations.iter().filter(move |i| i.is(program))
    }

    /// The variables the script sets for the rest of the script (not command prefixes).
    pub fn variables_set(&self) -> impl Iterator<Item = &Assignment> {
        self.assignments.iter().filter(|a| a.sets_variable())
    }

    /// The variables exported by the script at its end (what output variables read).
    pub fn exported_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .assignments
            .iter()
            .filter(|a| a.sets_variable() && a.exported && a.context.nested_in.is_empty())
            .map(|a| a.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}
