//! Reading and validating scenario files: every error names the file,
//! line, column and field.

use super::cell::{class_allows, Cell, Scenario};
use super::error::{Locator, ScenarioError, ScenarioErrors};
use super::runner::SourceSpec;
use super::schema::{RawExpect, RawRule, RawScenario, RawSet, Strings};
use super::workload;
use ppcr_core::class::{Class, Outcome};
use ppcr_core::cpu::{self, Flavour, ResolvedCpu, CATALOGUE};
use ppcr_core::policy::Policy;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Reads and validates one scenario file.
pub fn parse_file(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            field: String::new(),
            message: format!("cannot read: {e}"),
        }])
    })?;
    parse_str(&text, path)
}

/// Reads and validates several files; scenario names must be unique.
/// Every error of every file is returned.
pub fn parse_files(paths: &[PathBuf]) -> Result<Vec<Scenario>, ScenarioErrors> {
    let mut out: Vec<Scenario> = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match parse_file(path) {
            Ok(s) => {
                if let Some(first) = out.iter().find(|o| o.name == s.name) {
                    errors.push(ScenarioError {
                        file: path.clone(),
                        line: 1,
                        column: 1,
                        field: "name".into(),
                        message: format!(
                            "scenario name '{}' is also the name of {}; cell names must be unique",
                            s.name,
                            first.file.display()
                        ),
                    });
                } else {
                    out.push(s);
                }
            }
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioErrors(errors))
    }
}

/// Validates the text of a scenario file; `file` is used in messages and
/// for the default scenario name (its stem).
pub fn parse_str(text: &str, file: &Path) -> Result<Scenario, ScenarioErrors> {
    let loc = Locator { file, text };
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| ScenarioErrors(vec![loc.toml_error(&e)]))?;
    let mut v = Validator {
        loc: &loc,
        errors: Vec::new(),
    };
    let scenario = v.scenario(raw);
    if v.errors.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioErrors(v.errors))
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

struct Validator<'a> {
    loc: &'a Locator<'a>,
    errors: Vec<ScenarioError>,
}

/// A name out of a `Strings` field, with its span and field path.
struct Item {
    name: String,
    span: Range<usize>,
    field: String,
}

fn items(base: &str, whole: &Spanned<Strings>) -> Vec<Item> {
    let many = matches!(whole.get_ref(), Strings::Many(_));
    Strings::items(whole)
        .into_iter()
        .enumerate()
        .map(|(i, (name, span))| Item {
            name,
            span,
            field: if many {
                format!("{base}[{i}]")
            } else {
                base.to_string()
            },
        })
        .collect()
}

/// A source after crossing, with where it came from (for duplicate messages).
struct Src {
    spec: SourceSpec,
    entry: usize,
    span: Range<usize>,
    field: String,
}

/// An expectation rule, resolved.
struct Rule {
    cpu: Option<ResolvedCpu>,
    flavour: Option<Flavour>,
    workload: Option<String>,
    target: Option<ResolvedCpu>,
    policy: Option<Policy>,
    class: Option<Class>,
    outcome: Option<(Outcome, Range<usize>, String)>,
    span: Range<usize>,
    field: String,
    matched: bool,
}

impl Rule {
    fn matches(&self, s: &SourceSpec, t: &ResolvedCpu, p: Policy) -> bool {
        self.cpu.is_none_or(|c| c == s.cpu)
            && self.flavour.is_none_or(|f| f == s.flavour)
            && self.workload.as_ref().is_none_or(|w| *w == s.workload)
            && self.target.is_none_or(|c| c == *t)
            && self.policy.is_none_or(|q| q == p)
    }
}

fn class_names() -> &'static str {
    "pass, refuse, unsafe, needless"
}

fn outcome_names() -> String {
    Outcome::ALL.map(|o| o.name()).join(", ")
}

impl Validator<'_> {
    fn err(&mut self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(self.loc.error(span, field, message));
    }

    fn scenario(&mut self, raw: RawScenario) -> Scenario {
        let name = match &raw.name {
            Some(n) => {
                if !valid_name(n.get_ref()) {
                    self.err(n.span(), "name", format!("'{}' is not a valid scenario name: use letters, digits, '-', '_' and '.'", n.get_ref()));
                }
                n.get_ref().clone()
            }
            None => {
                let stem = self
                    .loc
                    .file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !valid_name(&stem) {
                    self.err(0..0, "name", format!("the file name '{stem}' is not a valid scenario name: set `name` (letters, digits, '-', '_', '.')"));
                }
                stem
            }
        };
        if raw.set.is_empty() {
            self.err(0..0, "set", "a scenario needs at least one [[set]]");
        }
        let mut cells: Vec<Cell> = Vec::new();
        // cell name -> (set, source entry, target index, policy index)
        let mut seen: HashMap<String, (usize, usize, usize, usize, usize)> = HashMap::new();
        for (i, set) in raw.set.iter().enumerate() {
            let line = self.loc.line_col(set.span().start).0;
            self.set(
                &name,
                i,
                set.get_ref(),
                set.span(),
                line,
                &mut cells,
                &mut seen,
            );
        }
        Scenario {
            name,
            description: raw.description.unwrap_or_default(),
            file: self.loc.file.to_path_buf(),
            cells,
        }
    }

    fn cpu(&mut self, item: &Item) -> Option<ResolvedCpu> {
        match cpu::resolve(&item.name) {
            Ok(c) => Some(c),
            Err(e) => {
                self.err(item.span.clone(), item.field.clone(), e.to_string());
                None
            }
        }
    }

    fn flavour(&mut self, item: &Item) -> Option<Flavour> {
        let f = Flavour::from_name(&item.name);
        if f.is_none() {
            self.err(
                item.span.clone(),
                item.field.clone(),
                format!("unknown flavour '{}' (ppc32, ppc64, ppc64le)", item.name),
            );
        }
        f
    }

    fn workload(&mut self, item: &Item) -> Option<&'static workload::Workload> {
        let w = workload::find(&item.name);
        if w.is_none() {
            let closest = workload::closest(&item.name);
            let hint = if closest.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", closest.join(", "))
            };
            self.err(
                item.span.clone(),
                item.field.clone(),
                format!(
                    "unknown workload '{}'{hint}; known: {}",
                    item.name,
                    workload::names()
                ),
            );
        }
        w
    }

    fn policy(&mut self, name: &str, span: Range<usize>, field: &str) -> Option<Policy> {
        let p = Policy::from_name(name);
        if p.is_none() {
            self.err(
                span,
                field,
                format!("unknown policy '{name}' (strict, records, hwcap, or \"all\")"),
            );
        }
        p
    }

    fn class(&mut self, s: &Spanned<String>, field: &str) -> Option<Class> {
        match Class::from_name(s.get_ref()) {
            Some(Class::Error) => {
                self.err(s.span(), field, format!("'error' cannot be expected: a harness failure is always a difference; expect one of {}", class_names()));
                None
            }
            Some(c) => Some(c),
            None => {
                self.err(
                    s.span(),
                    field,
                    format!(
                        "unknown class '{}' (expected one of {})",
                        s.get_ref(),
                        class_names()
                    ),
                );
                None
            }
        }
    }

    fn outcome(&mut self, s: &Spanned<String>, field: &str) -> Option<Outcome> {
        let o = Outcome::from_name(s.get_ref());
        if o.is_none() {
            self.err(
                s.span(),
                field,
                format!(
                    "unknown outcome '{}' (expected one of {})",
                    s.get_ref(),
                    outcome_names()
                ),
            );
        }
        o
    }

    fn sources(&mut self, base: &str, raw: &RawSet) -> (Vec<Src>, bool) {
        let before = self.errors.len();
        let mut out = Vec::new();
        if raw.sources.get_ref().is_empty() {
            self.err(
                raw.sources.span(),
                format!("{base}.sources"),
                "empty: a set needs at least one source",
            );
        }
        for (j, entry) in raw.sources.get_ref().iter().enumerate() {
            let eb = format!("{base}.sources[{j}]");
            let e = entry.get_ref();
            let cpus: Vec<_> = items(&format!("{eb}.cpu"), &e.cpu)
                .into_iter()
                .filter_map(|i| self.cpu(&i).map(|c| (c, i)))
                .collect();
            let flavours: Vec<_> = items(&format!("{eb}.flavour"), &e.flavour)
                .into_iter()
                .filter_map(|i| self.flavour(&i).map(|f| (f, i)))
                .collect();
            let workloads: Vec<_> = items(&format!("{eb}.workload"), &e.workload)
                .into_iter()
                .filter_map(|i| self.workload(&i).map(|w| (w, i)))
                .collect();
            for (what, n) in [
                ("cpu", cpus.len()),
                ("flavour", flavours.len()),
                ("workload", workloads.len()),
            ] {
                let whole = match what {
                    "cpu" => &e.cpu,
                    "flavour" => &e.flavour,
                    _ => &e.workload,
                };
                if n == 0 && Strings::items(whole).is_empty() {
                    self.err(
                        whole.span(),
                        format!("{eb}.{what}"),
                        format!("empty: a source needs at least one {what}"),
                    );
                }
            }
            for (c, _) in &cpus {
                for (f, fi) in &flavours {
                    if !c.model.runs(*f) {
                        let runs = c
                            .model
                            .flavours
                            .iter()
                            .map(|f| f.name())
                            .collect::<Vec<_>>()
                            .join(", ");
                        self.err(
                            fi.span.clone(),
                            fi.field.clone(),
                            format!("{} cannot run a {f} process (it runs {runs})", c.model.name),
                        );
                        continue;
                    }
                    for (w, wi) in &workloads {
                        if let Some(why) = workload::unrunnable(c.model, *f, w) {
                            self.err(
                                wi.span.clone(),
                                wi.field.clone(),
                                format!("{} cannot run workload {}: {why}", c.model.name, w.name),
                            );
                            continue;
                        }
                        out.push(Src {
                            spec: SourceSpec {
                                cpu: *c,
                                flavour: *f,
                                workload: w.name.to_string(),
                            },
                            entry: j,
                            span: entry.span(),
                            field: eb.clone(),
                        });
                    }
                }
            }
        }
        (out, self.errors.len() == before)
    }

    fn targets(&mut self, base: &str, raw: &RawSet) -> Vec<(ResolvedCpu, Range<usize>, String)> {
        let field = format!("{base}.targets");
        let list = items(&field, &raw.targets);
        if list.is_empty() {
            self.err(
                raw.targets.span(),
                field,
                "empty: a set needs at least one target",
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for item in list {
            if item.name == "all" {
                for m in CATALOGUE {
                    out.push((
                        ResolvedCpu {
                            model: m,
                            variant: m.variants[0],
                        },
                        item.span.clone(),
                        item.field.clone(),
                    ));
                }
            } else if let Some(c) = self.cpu(&item) {
                out.push((c, item.span, item.field));
            }
        }
        out
    }

    fn policies(&mut self, base: &str, raw: &RawSet) -> Vec<(Policy, Range<usize>, String)> {
        let field = format!("{base}.policies");
        let list = items(&field, &raw.policies);
        if list.is_empty() {
            self.err(
                raw.policies.span(),
                field,
                "empty: a set needs at least one policy",
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for item in list {
            if item.name == "all" {
                out.extend(Policy::ALL.map(|p| (p, item.span.clone(), item.field.clone())));
            } else if let Some(p) = self.policy(&item.name, item.span.clone(), &item.field) {
                out.push((p, item.span, item.field));
            }
        }
        out
    }

    fn rule(&mut self, field: String, raw: &Spanned<RawRule>) -> Option<Rule> {
        let before = self.errors.len();
        let r = raw.get_ref();
        let one = |s: &Spanned<String>, f: &str| Item {
            name: s.get_ref().clone(),
            span: s.span(),
            field: format!("{field}.{f}"),
        };
        let cpu = r.cpu.as_ref().and_then(|s| self.cpu(&one(s, "cpu")));
        let flavour = r
            .flavour
            .as_ref()
            .and_then(|s| self.flavour(&one(s, "flavour")));
        let workload = r
            .workload
            .as_ref()
            .and_then(|s| self.workload(&one(s, "workload")))
            .map(|w| w.name.to_string());
        let target = r.target.as_ref().and_then(|s| self.cpu(&one(s, "target")));
        let policy = r
            .policy
            .as_ref()
            .and_then(|s| self.policy(s.get_ref(), s.span(), &format!("{field}.policy")));
        let class = r
            .class
            .as_ref()
            .and_then(|s| self.class(s, &format!("{field}.class")));
        let outcome = r.outcome.as_ref().and_then(|s| {
            self.outcome(s, &format!("{field}.outcome"))
                .map(|o| (o, s.span(), format!("{field}.outcome")))
        });
        if r.class.is_none() && r.outcome.is_none() {
            self.err(
                raw.span(),
                field.clone(),
                "an expectation needs `class`, `outcome` or both",
            );
        }
        if let (Some(p), Some(o)) = (&r.policy, &r.outcome) {
            self.err(o.span(), format!("{field}.outcome"), format!("the outcome does not depend on the policy: drop `policy = \"{}\"` from this rule or state only `class`", p.get_ref()));
        }
        (self.errors.len() == before).then_some(Rule {
            cpu,
            flavour,
            workload,
            target,
            policy,
            class,
            outcome,
            span: raw.span(),
            field,
            matched: false,
        })
    }

    fn rules(&mut self, base: &str, raw: &RawSet) -> (Vec<Rule>, bool) {
        let before = self.errors.len();
        let mut rules = Vec::new();
        let bare = |class: Option<Class>,
                    outcome: Option<(Outcome, Range<usize>, String)>,
                    span: Range<usize>,
                    field: String| Rule {
            cpu: None,
            flavour: None,
            workload: None,
            target: None,
            policy: None,
            class,
            outcome,
            span,
            field,
            matched: false,
        };
        if let Some(o) = &raw.expect_outcome {
            let field = format!("{base}.expect_outcome");
            if let Some(out) = self.outcome(o, &field) {
                rules.push(bare(
                    None,
                    Some((out, o.span(), field.clone())),
                    o.span(),
                    field,
                ));
            }
        }
        match raw.expect.as_ref().map(|e| (e.get_ref(), e.span())) {
            None => {}
            Some((RawExpect::Class(c), span)) => {
                let field = format!("{base}.expect");
                let s = Spanned::new(span.clone(), c.clone());
                if let Some(class) = self.class(&s, &field) {
                    rules.push(bare(Some(class), None, span, field));
                }
            }
            Some((RawExpect::Rules(list), span)) => {
                if list.is_empty() {
                    self.err(span, format!("{base}.expect"), "empty: give a class (expect = \"pass\") or at least one [[set.expect]] table");
                }
                for (k, r) in list.iter().enumerate() {
                    if let Some(rule) = self.rule(format!("{base}.expect[{k}]"), r) {
                        rules.push(rule);
                    }
                }
            }
        }
        (rules, self.errors.len() == before)
    }

    #[allow(clippy::too_many_arguments)]
    fn set(
        &mut self,
        scenario: &str,
        i: usize,
        raw: &RawSet,
        span: Range<usize>,
        line: usize,
        cells: &mut Vec<Cell>,
        seen: &mut HashMap<String, (usize, usize, usize, usize, usize)>,
    ) {
        let base = format!("set[{i}]");
        let before = self.errors.len();
        let (sources, _) = self.sources(&base, raw);
        let targets = self.targets(&base, raw);
        let policies = self.policies(&base, raw);
        let (mut rules, _) = self.rules(&base, raw);
        if self.errors.len() != before {
            return; // no cascade of follow-on errors from a broken set
        }
        if raw.expect.is_none() {
            self.err(span.start..span.start, format!("{base}.expect"), "missing field `expect`: every cell needs an expected class (expect = \"pass\" or [[set.expect]] tables)");
            return;
        }
        let mut unexpected: Vec<String> = Vec::new();
        for src in &sources {
            for (ti, (target, tspan, tfield)) in targets.iter().enumerate() {
                for (pi, (policy, pspan, pfield)) in policies.iter().enumerate() {
                    let name = Cell::name_of(scenario, &src.spec, target, *policy);
                    let mut class = None;
                    let mut outcome = None;
                    for r in rules
                        .iter_mut()
                        .filter(|r| r.matches(&src.spec, target, *policy))
                    {
                        r.matched = true;
                        if let Some(c) = r.class {
                            class = Some(c);
                        }
                        if let Some(o) = &r.outcome {
                            outcome = Some(o.clone());
                        }
                    }
                    if let Some((first_set, entry, t, p, first_line)) = seen.get(&name).copied() {
                        let (at, field) = if first_set == i && entry == src.entry && t == ti {
                            (pspan.clone(), pfield.clone())
                        } else if first_set == i && entry == src.entry && p == pi {
                            (tspan.clone(), tfield.clone())
                        } else {
                            (src.span.clone(), src.field.clone())
                        };
                        self.err(at, field, format!("duplicate cell {name} (already defined by the set at line {first_line})"));
                        continue;
                    }
                    seen.insert(name.clone(), (i, src.entry, ti, pi, line));
                    let Some(class) = class else {
                        unexpected.push(name);
                        continue;
                    };
                    if let Some((o, ospan, ofield)) = &outcome {
                        if !class_allows(class, *o) {
                            self.err(ospan.clone(), ofield.clone(), format!(
                                "cell {name} expects class {class} with outcome {o}: {class} needs {}",
                                if matches!(class, Class::Pass | Class::Needless) { "outcome ok" } else { "an outcome other than ok" }
                            ));
                            continue;
                        }
                    }
                    cells.push(Cell {
                        name,
                        source: src.spec.clone(),
                        target: *target,
                        policy: *policy,
                        expect: class,
                        expect_outcome: outcome.map(|o| o.0),
                        file: self.loc.file.to_path_buf(),
                        line,
                    });
                }
            }
        }
        if let Some(first) = unexpected.first() {
            let more = match unexpected.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            let span = raw.expect.as_ref().map_or(span.clone(), |e| e.span());
            self.err(span, format!("{base}.expect"), format!("no expected class for cell {first}{more}: add a rule without selectors (class = \"...\") or one that matches"));
        }
        for r in rules.iter().filter(|r| !r.matched) {
            self.err(
                r.span.clone(),
                r.field.clone(),
                "this expectation matches no cell of the set",
            );
        }
    }
}
