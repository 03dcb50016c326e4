//! From script text to [`ParsedScript`], with tree-sitter-bash (a real bash grammar with
//! byte positions). One parser per thread, reused for every script and nested script.
//!
//! The walk is recursive over the syntax tree, within a depth limit; whatever the parser
//! could not read is recorded as a syntax error and what it could read is still walked.

use std::cell::RefCell;

use smallvec::SmallVec;
use tree_sitter::{Node, Parser, Tree, TreeCursor};

use super::harness;
use super::kind::{kind, kind_of, Kind};
use super::loops::{self, slice};
use super::script::{
    Assignment, AssignmentKind, Context, Interpreter, Invocation, Loop, LoopBound, LoopKind,
    NestedScript, ParsedScript, Redirect, SyntaxError, Timeout, VariableRead, Wrapper,
};
use super::words::{ExpansionKind, OffsetMap, Word, WordBuilder};
use super::wrappers::{self, duration_seconds, program_name};
use hlint_schema::Span;

/// Deeper syntax than this is not followed (recorded as `truncated`).
const MAX_DEPTH: usize = 200;
/// `sh -c "bash -c '...'"` is followed this deep.
const MAX_NESTED: usize = 4;

const SHELLS: &[(&str, Interpreter)] = &[
    ("sh", Interpreter::Sh),
    ("dash", Interpreter::Sh),
    ("ash", Interpreter::Sh),
    ("bash", Interpreter::Bash),
    ("ksh", Interpreter::Bash),
    ("mksh", Interpreter::Bash),
    ("zsh", Interpreter::Bash),
];

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn parse_tree(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_bash::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// Parses a whole `sh`/`bash` script.
pub fn parse_script(text: &str, interpreter: Interpreter) -> ParsedScript {
    let mut out = ParsedScript::default();
    let context = Context {
        interpreter,
        ..Context::default()
    };
    parse_into(text, &OffsetMap::Identity, &context, &mut out, 0);
    out
}

fn parse_into(
    text: &str,
    map: &OffsetMap,
    context: &Context,
    out: &mut ParsedScript,
    nested_depth: usize,
) {
    let expressions = harness::expression_ranges(text);
    if nested_depth == 0 {
        out.harness_expressions = expressions.iter().map(|&(s, e)| map.range(s, e)).collect();
    }
    let masked = harness::mask(text, &expressions);
    let Some(tree) = parse_tree(&masked) else {
        return;
    };
    let root = tree.root_node();
    let mut walker = Walker {
        cursor: root.walk(),
        text,
        map,
        expressions,
        out,
        depth: 0,
        nested_depth,
        allexport: false,
    };
    if nested_depth == 0 {
        walker.program(root, context);
    } else {
        walker.statements(root, context);
    }
    if root.has_error() {
        walker.errors(root);
    }
}

/// Up to this many children, a node's children are read by index: `Node::child` walks from
/// the first child each time, which for a few children costs less than resetting the walk's
/// cursor and stepping it (the cursor keeps a stack and checks every hidden node on the way:
/// 200 M instructions over the corpus; of 2, 4, 8 and 16, 8 did best); beyond, reading by
/// index would be quadratic.
const CHILDREN_BY_INDEX: usize = 8;

/// The children of `node`: by index when they are few ([`CHILDREN_BY_INDEX`]), else through
/// `cursor`.
fn child_nodes<'t>(node: Node<'t>, cursor: &mut TreeCursor<'t>) -> Nodes<'t> {
    let count = node.child_count();
    if count <= CHILDREN_BY_INDEX {
        return (0..count as u32).filter_map(|i| node.child(i)).collect();
    }
    let mut out = Nodes::new();
    each_child(node, cursor, |cursor| out.push(cursor.node()));
    out
}

/// Runs `visit` with `cursor` on each child of `node` in turn.
fn each_child<'t>(
    node: Node<'t>,
    cursor: &mut TreeCursor<'t>,
    mut visit: impl FnMut(&TreeCursor<'t>),
) {
    cursor.reset(node);
    if cursor.goto_first_child() {
        loop {
            visit(cursor);
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// A node's children with their field names. Most nodes have a few: they stay on the stack.
type Children<'t> = SmallVec<[(Option<&'static str>, Node<'t>); 8]>;
/// A node's children.
type Nodes<'t> = SmallVec<[Node<'t>; 8]>;

struct Walker<'s, 'o, 't> {
    /// One cursor for the whole walk: a new one per node would allocate its stack each time.
    cursor: TreeCursor<'t>,
    /// The text being parsed (not masked: values are read from it).
    text: &'s str,
    /// Local offsets -> top-level script offsets.
    map: &'o OffsetMap,
    /// Harness expressions (local ranges).
    expressions: Vec<(usize, usize)>,
    out: &'o mut ParsedScript,
    depth: usize,
    nested_depth: usize,
    /// `set -a` is in force.
    allexport: bool,
}

impl<'t> Walker<'_, '_, 't> {
    /// The children of `node` with their field names.
    fn children(&mut self, node: Node<'t>) -> Children<'t> {
        let mut out = Children::new();
        each_child(node, &mut self.cursor, |cursor| {
            out.push((cursor.field_name(), cursor.node()));
        });
        out
    }

    /// The children of `node`, without their field names (looking a field up is a search of
    /// the grammar's field table: most nodes are read without).
    fn nodes(&mut self, node: Node<'t>) -> Nodes<'t> {
        child_nodes(node, &mut self.cursor)
    }

    /// The named children of `node`, through the walk's cursor.
    fn named_children(&mut self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
        (self.nodes(node).into_iter()).filter(|child| child.is_named())
    }

    fn span(&self, node: Node<'t>) -> Span {
        self.map.range(node.start_byte(), node.end_byte())
    }

    fn program(&mut self, root: Node<'t>, context: &Context) {
        let children = self.nodes(root);
        let mut index = 0;
        for (position, child) in children.iter().enumerate() {
            if !child.is_named() || kind(child) == Kind::Comment {
                continue;
            }
            let mut c = context.clone();
            c.top_level_index = index;
            c.background = is_background(&children, position);
            self.walk(*child, &c);
            index += 1;
        }
        self.out.top_level_count = index;
    }

    /// Walks the named children of `node` as statements.
    fn statements(&mut self, node: Node<'t>, context: &Context) {
        let children = self.nodes(node);
        for (position, child) in children.iter().enumerate() {
            if !child.is_named() {
                continue;
            }
            if is_background(&children, position) {
                let mut c = context.clone();
                c.background = true;
                self.walk(*child, &c);
            } else {
                self.walk(*child, context);
            }
        }
    }

    fn walk(&mut self, node: Node<'t>, context: &Context) {
        if self.depth >= MAX_DEPTH {
            self.out.truncated = true;
            return;
        }
        self.depth += 1;
        match kind(&node) {
            Kind::Comment | Kind::HeredocStart | Kind::HeredocEnd => {}
            Kind::Command => {
                self.command(node, context);
            }
            Kind::RedirectedStatement => self.redirected(node, context),
            Kind::VariableAssignment => {
                self.assignment(node, context, AssignmentKind::Plain, None, false);
            }
            Kind::DeclarationCommand => self.declaration(node, context),
            Kind::List => self.list(node, context),
            Kind::Pipeline => {
                let mut c = context.clone();
                c.pipeline = true;
                self.statements(node, &c);
            }
            Kind::Subshell => {
                let mut c = context.clone();
                c.subshell = true;
                self.statements(node, &c);
            }
            Kind::NegatedCommand => {
                let mut c = context.clone();
                c.tested = true;
                self.statements(node, &c);
            }
            Kind::IfStatement | Kind::ElifClause => {
                let mut c = context.clone();
                c.if_statement = true;
                self.conditional(node, &c);
            }
            Kind::WhileStatement => self.while_loop(node, context),
            Kind::ForStatement => self.for_loop(node, context),
            Kind::CStyleForStatement => self.c_for(node, context),
            Kind::CaseStatement => self.case(node, context),
            Kind::FunctionDefinition => self.function(node, context),
            Kind::CommandSubstitution | Kind::ProcessSubstitution => {
                let mut c = context.clone();
                c.command_substitution = true;
                self.statements(node, &c);
            }
            Kind::HeredocBody => self.heredoc_body(node),
            Kind::FileRedirect | Kind::HeredocRedirect | Kind::HerestringRedirect => {
                self.redirect(node, context, None);
            }
            Kind::ArithmeticExpansion => self.arithmetic(node, context),
            Kind::CompoundStatement if slice(node, self.text).starts_with("((") => {
                self.arithmetic(node, context)
            }
            kind if kind.is_word() => {
                self.word(node, context);
            }
            _ => self.statements(node, context),
        }
        self.depth -= 1;
    }

    /// `a && b || c`: every part is in an and-or list; parts followed by `&&`/`||` are tested.
    fn list(&mut self, node: Node<'t>, context: &Context) {
        let children = self.nodes(node);
        for (position, child) in children.iter().enumerate() {
            if !child.is_named() {
                continue;
            }
            let mut c = context.clone();
            c.and_or = true;
            if children
                .get(position + 1)
                .is_some_and(|next| matches!(kind(next), Kind::And | Kind::Or))
            {
                c.tested = true;
            }
            if is_background(&children, position) {
                c.background = true;
            }
            self.walk(*child, &c);
        }
    }

    /// `if`/`elif`: statements before `then` are the tested condition.
    fn conditional(&mut self, node: Node<'t>, context: &Context) {
        let mut in_condition = true;
        for child in self.nodes(node) {
            if !child.is_named() {
                if kind(&child) == Kind::Then {
                    in_condition = false;
                }
                continue;
            }
            match kind(&child) {
                Kind::ElifClause => self.walk(child, context),
                Kind::ElseClause => self.statements(child, context),
                _ if in_condition => {
                    let mut c = context.clone();
                    c.tested = true;
                    self.walk(child, &c);
                }
                _ => self.walk(child, context),
            }
        }
    }

    fn begin_loop(
        &mut self,
        node: Node<'t>,
        kind: LoopKind,
        context: &Context,
    ) -> (usize, Context) {
        let keyword = node.child(0).unwrap_or(node);
        let index = self.out.loops.len();
        self.out.loops.push(Loop {
            kind,
            span: self.span(node),
            keyword_span: self.span(keyword),
            bound: LoopBound::Unbounded,
            bound_span: None,
            parent: context.loops.last().copied(),
            context: context.clone(),
        });
        let mut inner = context.clone();
        inner.loops.push(index);
        inner.loop_condition = false;
        (index, inner)
    }

    fn end_loop(
        &mut self,
        index: usize,
        context: &Context,
        (bound, range): (LoopBound, Option<(usize, usize)>),
    ) {
        let (bound, span) = match (&bound, &context.timeout) {
            (LoopBound::Unbounded, Some(timeout)) => (
                LoopBound::Timeout {
                    seconds: timeout.seconds,
                },
                Some(timeout.span),
            ),
            _ => (bound, range.map(|(s, e)| self.map.range(s, e))),
        };
        let entry = &mut self.out.loops[index];
        entry.bound = bound;
        entry.bound_span = span;
    }

    fn while_loop(&mut self, node: Node<'t>, context: &Context) {
        let kind = match node.child(0).map(|k| kind_of(&k)) {
            Some("until") => LoopKind::Until,
            _ => LoopKind::While,
        };
        let (index, inner) = self.begin_loop(node, kind, context);
        for (field, child) in self.children(node) {
            if !child.is_named() {
                continue;
            }
            match field {
                Some("condition") => {
                    let mut c = inner.clone();
                    c.loop_condition = true;
                    c.tested = true;
                    self.walk(child, &c);
                }
                _ => self.statements(child, &inner),
            }
        }
        let bound = loops::while_bound(node, self.text);
        self.end_loop(index, context, bound);
    }

    fn for_loop(&mut self, node: Node<'t>, context: &Context) {
        let (index, inner) = self.begin_loop(node, LoopKind::For, context);
        for (field, child) in self.children(node) {
            match field {
                Some("variable") => {
                    let name = slice(child, self.text).to_owned();
                    let span = self.span(child);
                    self.out.assignments.push(Assignment {
                        name,
                        name_span: span,
                        value: None,
                        kind: AssignmentKind::ForVariable,
                        exported: self.allexport,
                        span,
                        invocation: None,
                        context: inner.clone(),
                    });
                }
                // The list is expanded once, before the loop.
                Some("value") => {
                    self.word(child, context);
                }
                Some("body") => self.statements(child, &inner),
                _ => {}
            }
        }
        let bound = loops::for_bound(node, self.text);
        self.end_loop(index, context, bound);
    }

    fn c_for(&mut self, node: Node<'t>, context: &Context) {
        let (index, inner) = self.begin_loop(node, LoopKind::CFor, context);
        for (field, child) in self.children(node) {
            match field {
                Some("initializer" | "condition" | "update") => self.arithmetic(child, &inner),
                Some("body") => self.statements(child, &inner),
                _ => {}
            }
        }
        let bound = loops::c_for_bound(node, self.text);
        self.end_loop(index, context, bound);
    }

    fn case(&mut self, node: Node<'t>, context: &Context) {
        let mut arm = context.clone();
        arm.case_arm = true;
        for (field, child) in self.children(node) {
            match (field, kind_of(&child)) {
                (Some("value"), _) => {
                    self.word(child, context);
                }
                (_, "case_item") => {
                    for (item_field, part) in self.children(child) {
                        if !part.is_named() {
                            continue;
                        }
                        if item_field == Some("value") {
                            self.word(part, context);
                        } else {
                            self.walk(part, &arm);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn function(&mut self, node: Node<'t>, context: &Context) {
        let name = node
            .child_by_field_name("name")
            .map(|n| slice(n, self.text).to_owned());
        let mut c = context.clone();
        c.function = name;
        if let Some(body) = node.child_by_field_name("body") {
            self.walk(body, &c);
        }
    }

    fn heredoc_body(&mut self, node: Node<'t>) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match kind(&n) {
                // A here-document is data: its `$(...)` are not followed as commands.
                Kind::CommandSubstitution => {}
                Kind::SimpleExpansion | Kind::Expansion => {
                    if let Some(name) = self
                        .named_children(n)
                        .find(|c| matches!(kind(c), Kind::VariableName | Kind::SpecialVariableName))
                    {
                        self.out.reads.push(VariableRead {
                            name: slice(name, self.text).to_owned(),
                            span: self.span(n),
                            default: None,
                            in_heredoc: true,
                        });
                    }
                }
                _ => stack.extend(self.named_children(n)),
            }
        }
    }

    /// Names read in arithmetic (`$((n + 1))`, `(( i < 30 ))`), and commands inside it.
    fn arithmetic(&mut self, node: Node<'t>, context: &Context) {
        if self.depth >= MAX_DEPTH {
            self.out.truncated = true;
            return;
        }
        self.depth += 1;
        match kind(&node) {
            // Inside arithmetic, a bare name is a variable (tree-sitter reads some as words).
            Kind::VariableName | Kind::Word if loops::is_name(slice(node, self.text)) => {
                self.out.reads.push(VariableRead {
                    name: slice(node, self.text).to_owned(),
                    span: self.span(node),
                    default: None,
                    in_heredoc: false,
                })
            }
            Kind::SimpleExpansion | Kind::Expansion => {
                let mut scratch = WordBuilder::default();
                self.expansion(node, context, &mut scratch);
            }
            Kind::CommandSubstitution | Kind::ProcessSubstitution => self.walk(node, context),
            Kind::VariableAssignment => {
                self.assignment(node, context, AssignmentKind::Plain, None, false);
            }
            _ => {
                for child in self.named_children(node) {
                    self.arithmetic(child, context);
                }
            }
        }
        self.depth -= 1;
    }

    fn redirected(&mut self, node: Node<'t>, context: &Context) {
        let mut invocation = None;
        for (field, child) in self.children(node) {
            if !child.is_named() {
                continue;
            }
            if field == Some("body") {
                if kind(&child) == Kind::Command {
                    invocation = self.command(child, context);
                } else {
                    self.walk(child, context);
                }
            } else if kind_of(&child).ends_with("_redirect") {
                let index = self.redirect(child, context, invocation);
                if let Some(inv) = invocation {
                    self.out.invocations[inv].redirects.push(index);
                }
            } else {
                self.walk(child, context);
            }
        }
    }

    /// Records a redirection; returns its index.
    fn redirect(&mut self, node: Node<'t>, context: &Context, invocation: Option<usize>) -> usize {
        let mut descriptor = None;
        let mut target = None;
        let mut operator_start = node.start_byte();
        let mut operator_end = node.end_byte();
        let mut pending = Vec::new();
        for (field, child) in self.children(node) {
            match (field, kind_of(&child)) {
                (Some("descriptor"), _) => {
                    descriptor = Some(slice(child, self.text).to_owned());
                    operator_start = child.end_byte();
                }
                (Some("destination"), _) | (None, "heredoc_start") if target.is_none() => {
                    operator_end = child.start_byte();
                    target = Some(self.word(child, context));
                }
                (_, "heredoc_body") => self.heredoc_body(child),
                (_, "heredoc_end" | "ERROR") => {}
                (Some("argument"), _) => {
                    self.word(child, context);
                }
                _ if child.is_named() => pending.push(child),
                _ => {}
            }
        }
        if kind(&node) == Kind::HerestringRedirect {
            if let Some(word) = pending.first().copied() {
                operator_end = word.start_byte();
                target = Some(self.word(word, context));
                pending.remove(0);
            }
        }
        let operator = self
            .text
            .get(operator_start..operator_end.max(operator_start))
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned();
        let index = self.out.redirects.len();
        self.out.redirects.push(Redirect {
            span: self.span(node),
            operator,
            descriptor,
            target,
            invocation,
            context: context.clone(),
        });
        // A heredoc's command line goes on after the delimiter (`cat <<EOF | psql`).
        for child in pending {
            self.walk(child, context);
        }
        index
    }

    /// A simple command; returns its invocation index.
    fn command(&mut self, node: Node<'t>, context: &Context) -> Option<usize> {
        let index = self.out.invocations.len();
        self.out.invocations.push(Invocation {
            span: self.span(node),
            context: context.clone(),
            ..Invocation::default()
        });
        let mut words = Vec::new();
        let mut env = Vec::new();
        let mut redirects = Vec::new();
        for child in self.nodes(node) {
            if !child.is_named() {
                continue;
            }
            match command_part(kind(&child)) {
                CommandPart::Redirect => redirects.push(child),
                CommandPart::Assignment => env.push(self.assignment(
                    child,
                    context,
                    AssignmentKind::CommandPrefix,
                    Some(index),
                    true,
                )),
                CommandPart::Comment => {}
                CommandPart::Word => words.push(self.word(child, context)),
                CommandPart::Other => self.walk(child, context),
            }
        }
        let unwrapped = wrappers::unwrap(&words);
        for &w in &unwrapped.assignment_words {
            if let Some(assignment) = word_assignment(&words[w], context, index) {
                env.push(self.out.assignments.len());
                self.out.assignments.push(assignment);
            }
        }
        let wrappers = unwrapped
            .wrappers
            .iter()
            .map(|w| Wrapper {
                program: w.program.clone(),
                span: words[w.word].span,
                timeout: w.duration_word.and_then(|d| words.get(d)).map(|d| Timeout {
                    seconds: d.text().and_then(duration_seconds),
                    span: d.content_span(),
                }),
            })
            .collect();
        let program = words
            .get(unwrapped.command_index)
            .and_then(Word::text)
            .map(|t| program_name(t).to_owned());
        let redirect_indices: Vec<usize> = redirects
            .into_iter()
            .map(|r| self.redirect(r, context, Some(index)))
            .collect();
        {
            let invocation = &mut self.out.invocations[index];
            invocation.words = words;
            invocation.command_index = unwrapped.command_index;
            invocation.program = program;
            invocation.wrappers = wrappers;
            invocation.env = env;
            invocation.redirects.extend(redirect_indices);
        }
        self.builtin_effects(index, context);
        self.nested(index, context);
        Some(index)
    }

    /// `set -a`, `read NAME`: what builtins do to variables.
    fn builtin_effects(&mut self, index: usize, context: &Context) {
        let invocation = &self.out.invocations[index];
        match invocation.program.as_deref() {
            Some("set") => {
                let args: Vec<&str> = invocation.args().iter().filter_map(Word::text).collect();
                for (i, arg) in args.iter().enumerate() {
                    let enables =
                        (arg.starts_with('-') && !arg.starts_with("--") && arg.contains('a'))
                            || (*arg == "-o" && args.get(i + 1) == Some(&"allexport"));
                    let disables = (arg.starts_with('+') && arg.contains('a'))
                        || (*arg == "+o" && args.get(i + 1) == Some(&"allexport"));
                    if enables {
                        self.allexport = true;
                    }
                    if disables {
                        self.allexport = false;
                    }
                }
            }
            Some("read") => {
                let mut names = Vec::new();
                let mut skip_next = false;
                for word in invocation.args() {
                    let Some(text) = word.text() else { continue };
                    if skip_next {
                        skip_next = false;
                        continue;
                    }
                    if text.starts_with('-') {
                        skip_next = matches!(text, "-p" | "-t" | "-n" | "-N" | "-d" | "-u" | "-i");
                        continue;
                    }
                    if wrappers::is_assignment(&format!("{text}=")) {
                        names.push((text.to_owned(), word.span));
                    }
                }
                for (name, span) in names {
                    self.out.assignments.push(Assignment {
                        name,
                        name_span: span,
                        value: None,
                        kind: AssignmentKind::Read,
                        exported: self.allexport,
                        span,
                        invocation: Some(index),
                        context: context.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    /// `sh -c '...'`, `bash -c "..."`, `eval '...'`: the string is a script too.
    fn nested(&mut self, index: usize, context: &Context) {
        if self.nested_depth >= MAX_NESTED {
            return;
        }
        let invocation = &self.out.invocations[index];
        let Some(program) = invocation.program.as_deref() else {
            return;
        };
        let args = invocation.args();
        let (interpreter, script_arg) = if program == "eval" {
            match args {
                [_] => (context.interpreter, 0),
                _ => return,
            }
        } else if let Some(&(_, interpreter)) = SHELLS.iter().find(|(name, _)| *name == program) {
            match command_string_argument(args) {
                Some(arg) => (interpreter, arg),
                None => return,
            }
        } else {
            return;
        };
        let word_index = invocation.command_index + 1 + script_arg;
        let word = &invocation.words[word_index];
        if word.value.trim().is_empty() {
            return;
        }
        let text = word.value.clone();
        let map = OffsetMap::Segments(word.segments.clone());
        let span = word.content_span();
        let mut inner = context.clone();
        inner.nested_in.push(index);
        inner.interpreter = interpreter;
        if let Some(timeout) = invocation
            .wrappers
            .iter()
            .rev()
            .find_map(|w| w.timeout.clone())
        {
            inner.timeout = Some(timeout);
        }
        self.out.nested.push(NestedScript {
            invocation: index,
            word: word_index,
            interpreter,
            span,
        });
        parse_into(&text, &map, &inner, self.out, self.nested_depth + 1);
    }

    fn declaration(&mut self, node: Node<'t>, context: &Context) {
        let keyword = node.child(0).map_or("", |k| kind_of(&k));
        let assignment_kind = match keyword {
            "export" => AssignmentKind::Export,
            "local" => AssignmentKind::Local,
            "readonly" => AssignmentKind::Readonly,
            _ => AssignmentKind::Declare,
        };
        let mut exported = keyword == "export";
        for child in self.named_children(node) {
            match kind(&child) {
                Kind::VariableAssignment => {
                    self.assignment(child, context, assignment_kind, None, exported);
                }
                Kind::VariableName => {
                    let span = self.span(child);
                    self.out.assignments.push(Assignment {
                        name: slice(child, self.text).to_owned(),
                        name_span: span,
                        value: None,
                        kind: assignment_kind,
                        exported: exported || self.allexport,
                        span,
                        invocation: None,
                        context: context.clone(),
                    });
                }
                _ => {
                    let word = self.word(child, context);
                    match word.text() {
                        Some(flags) if flags.starts_with('-') => {
                            if flags.contains('x') {
                                exported = true;
                            }
                        }
                        _ => {
                            if let Some(mut assignment) = word_assignment(&word, context, 0) {
                                assignment.kind = assignment_kind;
                                assignment.exported = exported || self.allexport;
                                assignment.invocation = None;
                                self.out.assignments.push(assignment);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Records `NAME=value`; returns its index in `assignments`.
    fn assignment(
        &mut self,
        node: Node<'t>,
        context: &Context,
        kind: AssignmentKind,
        invocation: Option<usize>,
        exported: bool,
    ) -> usize {
        let name_node = node.child_by_field_name("name");
        let name = name_node
            .map(|n| {
                let text = slice(n, self.text);
                text.split('[').next().unwrap_or(text).to_owned()
            })
            .unwrap_or_default();
        let name_span = name_node.map_or_else(|| self.span(node), |n| self.span(n));
        let value = match node.child_by_field_name("value") {
            Some(value) => Some(self.word(value, context)),
            None => Some(Word {
                span: self.map.range(node.end_byte(), node.end_byte()),
                ..Word::default()
            }),
        };
        let index = self.out.assignments.len();
        self.out.assignments.push(Assignment {
            name,
            name_span,
            value,
            kind,
            exported: exported || self.allexport,
            span: self.span(node),
            invocation,
            context: context.clone(),
        });
        index
    }

    /// Builds the word of `node` (recording reads, following `$(...)`).
    fn word(&mut self, node: Node<'t>, context: &Context) -> Word {
        let mut builder = WordBuilder::default();
        self.build(node, context, &mut builder);
        let (start, end) = (node.start_byte(), node.end_byte());
        if self.text.as_bytes().get(start) == Some(&b'~') && kind(&node) != Kind::String {
            let tilde_end = builder.value.find('/').unwrap_or(builder.value.len());
            if builder.value.starts_with('~') && !builder.is_dynamic_at_start() {
                builder.expansions.push(super::words::Expansion {
                    kind: ExpansionKind::Tilde,
                    name: None,
                    operator: None,
                    default: None,
                    value_start: 0,
                    value_end: tilde_end,
                    span: Span::new(start, start + tilde_end),
                });
            }
        }
        for &(s, e) in &self.expressions {
            if s >= start && e <= end {
                if let Some((v0, v1)) = builder.value_range_of(s, e) {
                    builder
                        .expansions
                        .retain(|x| !(x.value_start >= v0 && x.value_end <= v1));
                    builder.expansions.push(super::words::Expansion {
                        kind: ExpansionKind::HarnessExpression,
                        name: None,
                        operator: None,
                        default: None,
                        value_start: v0,
                        value_end: v1,
                        span: Span::new(s, e),
                    });
                }
            }
        }
        builder.expansions.sort_by_key(|x| x.value_start);
        let expansions = builder
            .expansions
            .into_iter()
            .map(|mut x| {
                x.span = self.map.range(x.span.start, x.span.end);
                x
            })
            .collect();
        Word {
            span: self.span(node),
            segments: self.map.compose(builder.segments),
            value: builder.value,
            expansions,
        }
    }

    fn build(&mut self, node: Node<'t>, context: &Context, b: &mut WordBuilder) {
        // A command's name is one word (nearly always): read as that word, without listing
        // the name's children.
        if let Some(word) = (kind(&node) == Kind::CommandName)
            .then(|| whole_child(node))
            .flatten()
        {
            return self.build(word, context, b);
        }
        if self.depth >= MAX_DEPTH {
            self.out.truncated = true;
            return;
        }
        self.depth += 1;
        let (start, end) = (node.start_byte(), node.end_byte());
        let text = self.text.get(start..end).unwrap_or("");
        match kind(&node) {
            Kind::Word => b.unquoted(text, start),
            Kind::RawString => {
                let inner_end = if text.len() >= 2 && text.ends_with('\'') {
                    end - 1
                } else {
                    end
                };
                b.verbatim(self.text.get(start + 1..inner_end).unwrap_or(""), start + 1);
            }
            Kind::AnsiCString => {
                let inner_end = if text.len() >= 3 && text.ends_with('\'') {
                    end - 1
                } else {
                    end
                };
                b.ansi_c(self.text.get(start + 2..inner_end).unwrap_or(""), start + 2);
            }
            Kind::String => self.string(node, context, b),
            Kind::SimpleExpansion | Kind::Expansion => self.expansion(node, context, b),
            Kind::CommandSubstitution | Kind::ProcessSubstitution => {
                let kind = if kind(&node) == Kind::CommandSubstitution {
                    ExpansionKind::CommandSubstitution
                } else {
                    ExpansionKind::ProcessSubstitution
                };
                b.expansion(kind, text, start, None, None, None);
                self.depth -= 1;
                self.walk(node, context);
                return;
            }
            Kind::ArithmeticExpansion => {
                b.expansion(ExpansionKind::Arithmetic, text, start, None, None, None);
                self.depth -= 1;
                self.arithmetic(node, context);
                return;
            }
            Kind::BraceExpression => {
                b.expansion(ExpansionKind::Brace, text, start, None, None, None)
            }
            _ if node.named_child_count() == 0 => b.unquoted(text, start),
            _ => {
                // `concatenation`, `command_name`, `number` with expansions, arrays...
                let mut at = start;
                for child in self.nodes(node) {
                    if child.start_byte() > at {
                        b.unquoted(&self.text[at..child.start_byte()], at);
                    }
                    if child.is_named() {
                        self.build(child, context, b);
                    } else {
                        b.unquoted(slice(child, self.text), child.start_byte());
                    }
                    at = child.end_byte();
                }
                if at < end {
                    b.unquoted(&self.text[at..end], at);
                }
            }
        }
        self.depth -= 1;
    }

    /// `"..."`: content with double-quote escapes, expansions inside.
    fn string(&mut self, node: Node<'t>, context: &Context, b: &mut WordBuilder) {
        let (start, end) = (node.start_byte(), node.end_byte());
        let text = &self.text[start..end];
        let open = usize::from(text.starts_with('"'));
        let close = usize::from(text.len() > open && text.ends_with('"'));
        let (inner_start, inner_end) = (start + open, end - close);
        let mut at = inner_start;
        for child in self.nodes(node) {
            let (s, e) = (child.start_byte(), child.end_byte());
            if s < inner_start || e > inner_end {
                continue;
            }
            if s > at {
                b.double_quoted(&self.text[at..s], at);
            }
            if kind(&child) == Kind::StringContent || !child.is_named() {
                b.double_quoted(&self.text[s..e], s);
            } else {
                self.build(child, context, b);
            }
            at = e;
        }
        if at < inner_end {
            b.double_quoted(&self.text[at..inner_end], at);
        }
    }

    /// `$NAME`, `${NAME:-default}`: recorded as a read and as a dynamic part of the word.
    fn expansion(&mut self, node: Node<'t>, context: &Context, b: &mut WordBuilder) {
        let (start, end) = (node.start_byte(), node.end_byte());
        let mut name = None;
        let mut operator = None;
        let mut default = None;
        let mut after_operator = false;
        for (field, child) in self.children(node) {
            if field == Some("operator") {
                operator = Some(slice(child, self.text).to_owned());
                after_operator = true;
                continue;
            }
            if !child.is_named() {
                continue;
            }
            match kind(&child) {
                Kind::VariableName | Kind::SpecialVariableName
                    if name.is_none() && !after_operator =>
                {
                    name = Some(slice(child, self.text).to_owned());
                }
                _ => {
                    // The word after the operator; `$(...)` inside it still runs.
                    let mut part = WordBuilder::default();
                    self.build(child, context, &mut part);
                    let is_default = matches!(operator.as_deref(), Some(":-" | "-" | ":=" | "="));
                    if is_default
                        && after_operator
                        && default.is_none()
                        && part.expansions.is_empty()
                    {
                        default = Some(part.value.into_string());
                    }
                }
            }
        }
        if let Some(name) = &name {
            self.out.reads.push(VariableRead {
                name: name.clone(),
                span: self.map.range(start, end),
                default: default.clone(),
                in_heredoc: false,
            });
        }
        b.expansion(
            ExpansionKind::Variable,
            &self.text[start..end],
            start,
            name,
            operator,
            default,
        );
    }

    /// Records the parser's errors and missing tokens.
    fn errors(&mut self, root: Node<'t>) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if node.is_missing() {
                self.out.errors.push(SyntaxError {
                    span: self.span(node),
                    missing: Some(kind_of(&node).to_owned()),
                });
                continue;
            }
            if node.is_error() {
                if !is_read_write_redirect(node, self.text) {
                    self.out.errors.push(SyntaxError {
                        span: self.span(node),
                        missing: None,
                    });
                }
                continue;
            }
            if node.has_error() {
                stack.extend(self.nodes(node));
            }
        }
        self.out.errors.sort_by_key(|e| (e.span.start, e.span.end));
    }
}

impl WordBuilder {
    fn is_dynamic_at_start(&self) -> bool {
        self.expansions.iter().any(|e| e.value_start == 0)
    }
}

/// tree-sitter-bash reads the valid `<>` operator as `<` plus an error.
fn is_read_write_redirect(node: Node, text: &str) -> bool {
    node.parent()
        .is_some_and(|p| kind(&p) == Kind::FileRedirect)
        && slice(node, text) == ">"
        && node.start_byte() > 0
        && text.as_bytes().get(node.start_byte() - 1) == Some(&b'<')
}

/// The only child of `node` when it covers all of it.
fn whole_child(node: Node) -> Option<Node> {
    let child = (node.child_count() == 1).then(|| node.child(0)).flatten()?;
    (child.byte_range() == node.byte_range()).then_some(child)
}

/// What a named child of a `command` node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CommandPart {
    /// The name or an argument.
    Word,
    Redirect,
    /// `NAME=value` before the name.
    Assignment,
    Comment,
    /// Anything else (`subshell`, an `ERROR`): walked as statements.
    Other,
}

/// A command's child read by its kind: in tree-sitter-bash the kinds of a command's fields
/// (`name`, `argument`, `redirect`) do not overlap, and looking a field name up costs more
/// than the rest of reading the child (a test checks the two readings agree).
fn command_part(kind: Kind) -> CommandPart {
    match kind {
        Kind::CommandName => CommandPart::Word,
        Kind::FileRedirect | Kind::HerestringRedirect | Kind::HeredocRedirect => {
            CommandPart::Redirect
        }
        Kind::VariableAssignment => CommandPart::Assignment,
        Kind::Comment => CommandPart::Comment,
        kind if kind.is_word() || kind.is_argument_only() => CommandPart::Word,
        _ => CommandPart::Other,
    }
}

fn is_background(children: &[Node], position: usize) -> bool {
    children
        .get(position + 1)
        .is_some_and(|next| kind(next) == Kind::Background)
}

/// The index (in `args`) of the command string of `sh [-opts] -c STRING`.
fn command_string_argument(args: &[Word]) -> Option<usize> {
    let mut seen_c = false;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let text = word.text();
        match text {
            Some("--") => {
                i += 1;
                continue;
            }
            Some(t)
                if (t.starts_with('-') || t.starts_with('+'))
                    && t.len() > 1
                    && !t.starts_with("--") =>
            {
                if t[1..].contains('c') {
                    seen_c = true;
                }
                // `-o pipefail`: the option name follows.
                if t.ends_with('o') {
                    i += 1;
                }
            }
            Some(t) if t.starts_with("--") => {}
            _ => return seen_c.then_some(i),
        }
        i += 1;
    }
    None
}

/// `NAME=value` written as one word (an `env`/`sudo` argument, `export "A=b"`).
fn word_assignment(word: &Word, context: &Context, invocation: usize) -> Option<Assignment> {
    let eq = word.value.find('=')?;
    if word.is_dynamic_in(0, eq + 1) || !wrappers::is_assignment(&word.value) {
        return None;
    }
    let value = super::words::slice_word(word, eq + 1, word.value.len());
    Some(Assignment {
        name: word.value[..eq].to_owned(),
        name_span: word.value_span(0, eq),
        value: Some(value),
        kind: AssignmentKind::EnvWrapper,
        exported: true,
        span: word.span,
        invocation: Some(invocation),
        context: context.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedScript {
        parse_script(text, Interpreter::Sh)
    }

    /// Every named child of every `command` of `text`, with its field name.
    fn command_children(text: &str) -> Vec<(Option<&'static str>, String)> {
        let tree = parse_tree(text).expect("a tree");
        let mut found = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            if cursor.goto_first_child() {
                loop {
                    let child = cursor.node();
                    if kind_of(&node) == "command" && child.is_named() {
                        found.push((cursor.field_name(), kind_of(&child).to_owned()));
                    }
                    stack.push(child);
                    if !cursor.goto_next_sibling() {
                        break;
                    }
                }
            }
        }
        found
    }

    #[test]
    fn children_read_by_index_are_the_cursor_s() {
        let many_statements: String = (0..40).map(|i| format!("echo {i}\n")).collect();
        let mut compared = 0;
        for text in [many_statements]
            .into_iter()
            .chain(super::super::tests::random_scripts(200))
        {
            let tree = parse_tree(&text).expect("a tree");
            let mut cursor = tree.walk();
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                let mut by_cursor = Nodes::new();
                each_child(node, &mut cursor, |cursor| by_cursor.push(cursor.node()));
                assert_eq!(child_nodes(node, &mut cursor), by_cursor, "{text:?}");
                compared += usize::from(node.child_count() > CHILDREN_BY_INDEX);
                stack.extend(by_cursor);
            }
        }
        assert!(
            compared > 0,
            "a node with more children than are read by index"
        );
    }

    #[test]
    fn the_kind_table_names_every_node_as_tree_sitter_does() {
        let mut compared = 0;
        let aliased = "cat <<EOF\n$x\nEOF\n[[ a =~ b ]]; f() { local x=1; }; case a in b) ;; esac";
        for text in
            std::iter::once(aliased.to_owned()).chain(super::super::tests::random_scripts(200))
        {
            let tree = parse_tree(&text).expect("a tree");
            let mut cursor = tree.walk();
            loop {
                let node = cursor.node();
                assert_eq!(kind_of(&node), node.kind(), "{text:?}");
                assert_eq!(kind(&node), Kind::named(node.kind()), "{text:?}");
                compared += 1;
                if cursor.goto_first_child() || cursor.goto_next_sibling() {
                    continue;
                }
                while cursor.goto_parent() && !cursor.goto_next_sibling() {}
                if cursor.node() == tree.root_node() {
                    break;
                }
            }
        }
        assert!(compared > 5000, "{compared}");
    }

    #[test]
    fn a_command_read_by_kinds_is_read_as_its_fields_say() {
        let scripts = [
            "A=1 B=2 >out psql -h db -p 5432 \"$X\" 'a' $'b' $((1+2)) $(date) <(ls) {a,b} x\"y\"z 2>&1 <<<here",
            "[[ $a =~ ^x ]] && test $a == b; cmd =~ re; echo $ '$'; f() { echo; }",
            "echo <+pipeline.name> # comment\nls -la /tmp | grep x > /dev/null &\ncat <<EOF\nbody\nEOF\n",
            "if until x; do y; done; then (sub) ; fi; timeout 5 sh -c 'pg_isready' ; exec 3<>/dev/tcp/db/5432",
        ];
        let mut compared = 0;
        for text in scripts
            .iter()
            .copied()
            .map(str::to_owned)
            .chain(super::super::tests::random_scripts(300))
        {
            for (field, kind) in command_children(&text) {
                let by_field = match field {
                    Some("name" | "argument") => CommandPart::Word,
                    Some("redirect") => CommandPart::Redirect,
                    Some(other) => panic!("a command field hlint does not know: {other}"),
                    None => match kind.as_str() {
                        "variable_assignment" => CommandPart::Assignment,
                        "comment" => CommandPart::Comment,
                        "heredoc_redirect" => CommandPart::Redirect,
                        _ => CommandPart::Other,
                    },
                };
                assert_eq!(
                    command_part(Kind::named(&kind)),
                    by_field,
                    "{kind} in {text:?}"
                );
                compared += 1;
            }
        }
        assert!(compared > 1000, "{compared}");
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn programs(script: &ParsedScript) -> Vec<&str> {
        script
            .invocations
            .iter()
            .map(|i| i.program.as_deref().unwrap_or("?"))
            .collect()
    }

    #[test]
    fn words_after_quote_removal_with_positions() {
        let text =
            "psql -h \"db\" -U 'pg' -p5433 --port=5433 x\"y\"'z' \\-h $HOST \"a$B\" $(echo 1)\n";
        let script = parse(text);
        let psql = &script.invocations[0];
        let values: Vec<Option<&str>> = psql.words.iter().map(Word::text).collect();
        assert_eq!(
            values,
            vec![
                Some("psql"),
                Some("-h"),
                Some("db"),
                Some("-U"),
                Some("pg"),
                Some("-p5433"),
                Some("--port=5433"),
                Some("xyz"),
                Some("-h"),
                None,
                None,
                None
            ]
        );
        assert_eq!(at(text, psql.words[2].content_span()), "db");
        assert_eq!(at(text, psql.words[2].span), "\"db\"");
        assert_eq!(at(text, psql.words[4].content_span()), "pg");
        assert_eq!(at(text, psql.words[5].value_span(2, 6)), "5433");
        assert_eq!(psql.words[9].expansions[0].name.as_deref(), Some("HOST"));
        assert_eq!(psql.words[10].value, "a$B");
        assert_eq!(
            psql.words[11].expansions[0].kind,
            ExpansionKind::CommandSubstitution
        );
        // The command substitution is an invocation too.
        assert_eq!(programs(&script), vec!["psql", "echo"]);
        assert!(script.invocations[1].context.command_substitution);
        let reads: Vec<&str> = script.reads.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(reads, vec!["HOST", "B"]);
    }

    #[test]
    fn assignments_exports_and_prefixes() {
        let text = "A=1\nexport PGHOST=db PGPORT\nPGPASSWORD=x psql\ndeclare -x D=4\nlocal L=5\nenv PGUSER=u psql\nset -a\nE=6\nread -r LINE\n${P:-5432}\n";
        let script = parse(text);
        let summary: Vec<(&str, AssignmentKind, bool)> = script
            .assignments
            .iter()
            .map(|a| (a.name.as_str(), a.kind, a.exported))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("A", AssignmentKind::Plain, false),
                ("PGHOST", AssignmentKind::Export, true),
                ("PGPORT", AssignmentKind::Export, true),
                ("PGPASSWORD", AssignmentKind::CommandPrefix, true),
                ("D", AssignmentKind::Declare, true),
                ("L", AssignmentKind::Local, false),
                ("PGUSER", AssignmentKind::EnvWrapper, true),
                ("E", AssignmentKind::Plain, true),
                ("LINE", AssignmentKind::Read, true),
            ]
        );
        let psql = &script.invocations[0];
        assert_eq!(psql.env, vec![3]);
        let env_psql = script
            .invocations
            .iter()
            .find(|i| i.wrappers.len() == 1)
            .unwrap();
        assert_eq!(env_psql.program.as_deref(), Some("psql"));
        assert_eq!(env_psql.env.len(), 1);
        let pguser = &script.assignments[env_psql.env[0]];
        assert_eq!(at(text, pguser.value.as_ref().unwrap().content_span()), "u");
        let p = script.reads.iter().find(|r| r.name == "P").unwrap();
        assert_eq!(p.default.as_deref(), Some("5432"));
        assert_eq!(at(text, p.span), "${P:-5432}");
        assert_eq!(
            script.exported_names(),
            vec!["D", "E", "LINE", "PGHOST", "PGPORT"]
        );
    }

    #[test]
    fn control_context() {
        let text = "if pg_isready; then psql; fi\na && b || c\nx | y\n(sub)\nbg &\nf() { inner; }\ncase $1 in a) arm;; esac\n! neg\n";
        let script = parse(text);
        let find = |name: &str| {
            &script
                .invocations
                .iter()
                .find(|i| i.is(name))
                .unwrap()
                .context
        };
        assert!(find("pg_isready").if_statement && find("pg_isready").tested);
        assert!(find("psql").if_statement && !find("psql").tested);
        assert!(find("a").and_or && find("a").tested);
        assert!(find("b").tested && !find("c").tested);
        assert!(find("x").pipeline && find("y").pipeline);
        assert!(find("sub").subshell);
        assert!(find("bg").background);
        assert_eq!(find("inner").function.as_deref(), Some("f"));
        assert!(find("arm").case_arm);
        assert!(find("neg").tested);
        let tops: Vec<usize> = script
            .invocations
            .iter()
            .map(|i| i.context.top_level_index)
            .collect();
        assert_eq!(tops, vec![0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 7]);
        assert_eq!(script.top_level_count, 8);
        assert!(!find("psql").is_straight_line());
        assert!(find("x").is_straight_line());
    }

    #[test]
    fn loops_and_their_bounds() {
        let cases: &[(&str, LoopBound)] = &[
            ("for i in 1 2 3; do pg_isready; done", LoopBound::Items { count: 3 }),
            ("for i in $(seq 1 30); do pg_isready && break; sleep 1; done", LoopBound::Sequence { count: Some(30) }),
            ("for i in {1..10}; do x; done", LoopBound::Sequence { count: Some(10) }),
            ("until pg_isready -h db; do sleep 1; done", LoopBound::Unbounded),
            ("while ! pg_isready; do sleep 1; done", LoopBound::Unbounded),
            ("while true; do pg_isready && break; sleep 1; done", LoopBound::Unbounded),
            (
                "n=0\nuntil pg_isready; do n=$((n+1)); [ $n -ge 30 ] && exit 1; sleep 1; done",
                LoopBound::Counter { variable: "n".into() },
            ),
            (
                "i=0\nwhile [ \"$i\" -lt 30 ]; do pg_isready && break; i=$((i+1)); sleep 1; done",
                LoopBound::Counter { variable: "i".into() },
            ),
            (
                "until pg_isready; do ((tries++)); if (( tries > 20 )); then exit 1; fi; sleep 1; done",
                LoopBound::Counter { variable: "tries".into() },
            ),
            (
                "until redis-cli ping; do let c++; test $c -gt 5 && break; done",
                LoopBound::Counter { variable: "c".into() },
            ),
            (
                "until nc -z db 5432; do [ $SECONDS -gt 60 ] && exit 1; sleep 1; done",
                LoopBound::Counter { variable: "SECONDS".into() },
            ),
            ("for ((i=0; i<30; i++)); do pg_isready && break; done", LoopBound::Counter { variable: "i".into() }),
            ("for ((;;)); do pg_isready && break; done", LoopBound::Unbounded),
            (
                "timeout 60 sh -c 'until pg_isready -h db; do sleep 1; done'",
                LoopBound::Timeout { seconds: Some(60.0) },
            ),
            (
                "timeout 2m bash -c \"until pg_isready; do sleep 1; done\"",
                LoopBound::Timeout { seconds: Some(120.0) },
            ),
        ];
        for (text, bound) in cases {
            let script = parse(text);
            assert_eq!(script.loops.len(), 1, "{text}");
            assert_eq!(&script.loops[0].bound, bound, "{text}");
            if bound.is_bounded() {
                assert!(script.loops[0].bound_span.is_some(), "{text}");
            }
        }
        let script = parse("until pg_isready; do sleep 1; done");
        let probe = &script.invocations[0];
        assert!(probe.context.loop_condition && probe.context.in_loop());
        assert!(!script.invocations[1].context.loop_condition);
        assert_eq!(
            at(
                "until pg_isready; do sleep 1; done",
                script.loops[0].keyword_span
            ),
            "until"
        );
    }

    #[test]
    fn nested_scripts_map_back_to_the_outer_text() {
        let text = r#"sh -c "psql -h \"db\" -p 5433" && bash -lc 'mysql -h my -e "select 1"'; eval "redis-cli -h cache ping""#;
        let script = parse(text);
        assert_eq!(
            programs(&script),
            vec!["sh", "psql", "bash", "mysql", "eval", "redis-cli"]
        );
        let psql = &script.invocations[1];
        assert_eq!(psql.context.nested_in, vec![0]);
        assert_eq!(psql.context.interpreter, Interpreter::Sh);
        assert_eq!(psql.words[2].text(), Some("db"));
        assert_eq!(at(text, psql.words[2].content_span()), "db");
        // The token starts at the first character it produces (after the backslash).
        assert_eq!(at(text, psql.words[2].span), "\"db\\\"");
        assert_eq!(at(text, psql.words[4].content_span()), "5433");
        let mysql = &script.invocations[3];
        assert_eq!(mysql.context.interpreter, Interpreter::Bash);
        assert_eq!(at(text, mysql.words[2].content_span()), "my");
        assert_eq!(at(text, mysql.words[4].content_span()), "select 1");
        let redis = &script.invocations[5];
        assert_eq!(at(text, redis.words[2].content_span()), "cache");
        assert_eq!(script.nested.len(), 3);
        assert_eq!(at(text, script.nested[0].span), r#"psql -h \"db\" -p 5433"#);
    }

    #[test]
    fn heredocs_and_comments_are_not_commands() {
        let text = "cat <<EOF > init.sql\npsql -h db\n$(rm -rf /)\n$HOST\nEOF\n# psql -h x\necho hi # psql\ncat <<'X' | psql -h real\nmysql\nX\n";
        let script = parse(text);
        assert_eq!(programs(&script), vec!["cat", "echo", "cat", "psql"]);
        assert_eq!(script.invocations[3].words[2].text(), Some("real"));
        let heredoc = &script.redirects[0];
        assert_eq!(heredoc.operator, "<<");
        assert_eq!(heredoc.target.as_ref().unwrap().text(), Some("EOF"));
        assert!(script
            .reads
            .iter()
            .any(|r| r.name == "HOST" && r.in_heredoc));
        assert!(script.errors.is_empty(), "{:?}", script.errors);
    }

    #[test]
    fn redirects_and_dev_tcp() {
        let text = "exec 3<>/dev/tcp/db/5432\ntimeout 1 bash -c '</dev/tcp/cache/6379' && echo up\necho > /dev/tcp/$H/80\n";
        let script = parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        let targets: Vec<&str> = script
            .redirects
            .iter()
            .map(|r| r.target.as_ref().unwrap().value.as_str())
            .collect();
        assert_eq!(
            targets,
            vec!["/dev/tcp/db/5432", "/dev/tcp/cache/6379", "/dev/tcp/$H/80"]
        );
        assert_eq!(script.redirects[0].operator, "<>");
        assert_eq!(script.redirects[0].descriptor.as_deref(), Some("3"));
        assert_eq!(script.redirects[0].invocation, Some(0));
        assert_eq!(script.redirects[1].context.interpreter, Interpreter::Bash);
        assert_eq!(
            at(text, script.redirects[1].target.as_ref().unwrap().span),
            "/dev/tcp/cache/6379"
        );
    }

    #[test]
    fn harness_expressions_are_dynamic_words() {
        let text =
            "psql -h <+pipeline.variables.host> -W \"<+secrets.getValue(\"pw\")>\" -p 5432\n";
        let script = parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        let psql = &script.invocations[0];
        assert_eq!(psql.words.len(), 7);
        assert_eq!(psql.words[2].value, "<+pipeline.variables.host>");
        assert_eq!(
            psql.words[2].expansions[0].kind,
            ExpansionKind::HarnessExpression
        );
        assert!(!psql.words[2].is_static());
        assert_eq!(psql.words[6].text(), Some("5432"));
        assert_eq!(script.harness_expressions.len(), 2);
    }

    #[test]
    fn broken_syntax_gives_a_partial_result() {
        for text in [
            "psql -h db\nif true; then\n  pg_isready\n",
            "until pg_isready; do sleep 1\n",
            "echo \"unterminated\npsql -h db\n",
            "psql -h db )))) (( ;; && || | done fi esac\nmysql -h m",
            "$(((((((((((",
            "\u{0}\u{1}binary\u{7f} psql",
        ] {
            let script = parse(text);
            assert!(
                !script.errors.is_empty() || !script.invocations.is_empty(),
                "{text:?}"
            );
        }
        let script = parse("psql -h db\nif true; then\n  pg_isready\n");
        assert!(script.invocations.iter().any(|i| i.is("psql")));
        assert!(!script.errors.is_empty());
    }

    #[test]
    fn deep_nesting_is_cut_not_overflowed() {
        let text = format!("{}echo{}", "$(".repeat(5000), ")".repeat(5000));
        let script = parse(&text);
        assert!(script.truncated);
        let text = format!("{}true{}", "( ".repeat(3000), " )".repeat(3000));
        let _ = parse(&text);
    }

    #[test]
    fn wrappers_are_seen_through() {
        let text = "timeout 30 sudo -u postgres env PGHOST=db /usr/lib/postgresql/bin/psql -c 'select 1'\ndocker exec db psql -U postgres\n";
        let script = parse(text);
        let psql = &script.invocations[0];
        assert_eq!(psql.program.as_deref(), Some("psql"));
        assert_eq!(
            psql.wrappers
                .iter()
                .map(|w| w.program.as_str())
                .collect::<Vec<_>>(),
            vec!["timeout", "sudo", "env"]
        );
        assert_eq!(
            psql.wrappers[0].timeout.as_ref().unwrap().seconds,
            Some(30.0)
        );
        assert_eq!(psql.args()[1].text(), Some("select 1"));
        assert_eq!(script.invocations[1].program.as_deref(), Some("docker"));
    }
}
