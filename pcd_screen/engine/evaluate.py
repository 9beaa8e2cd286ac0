"""evaluate(proposal, ruleset, refdata, as_of) -> Result. Pure: no printing, no files."""

from __future__ import annotations

import re
from datetime import date

from pcd_screen import __version__
from pcd_screen.core.located import format_path
from pcd_screen.core.proposal import Proposal
from pcd_screen.engine.conditions import Context, Outcome
from pcd_screen.engine.facts import compute_facts
from pcd_screen.engine.result import (
    Evidence,
    Finding,
    Result,
    format_evidence,
    format_value,
    sort_key,
    summarise,
    verdict_for,
)
from pcd_screen.engine.ruleset import Rule, Ruleset, describe_source

MAX_EVIDENCE = 20
_PLACEHOLDER = re.compile(r"\{(evidence|facts\.[a-z_]+)\}")


def evaluate(
    proposal: Proposal,
    ruleset: Ruleset,
    refdata,
    as_of: date,
    lang: str = "en",
    unclear_as_flag: tuple[str, ...] = (),
) -> Result:
    ctx = context_for(proposal, ruleset, refdata, as_of)
    facts = ctx.facts
    findings = sorted(
        (
            evaluate_rule(rule, ctx, proposal, lang, ruleset.sources)
            for rule in ruleset.rules
            if rule.scope == "proposal"
        ),
        key=sort_key,
    )
    return Result(
        proposal={"id": proposal.id, "title": proposal.title, "file": proposal.file},
        tool={"name": "pcd-screen", "version": __version__},
        ruleset={"hash": ruleset.hash, "rules": len(findings)},
        refdata=refdata.versions(),
        as_of=as_of.isoformat(),
        lang=lang,
        verdict=verdict_for(findings, unclear_as_flag),
        facts={name: fact.value for name, fact in sorted(facts.items())},
        findings=findings,
        summary=summarise(findings),
        policy={"unclear_as_flag": list(unclear_as_flag)},
    )


def evaluate_portfolio(facts: dict, ruleset: Ruleset, as_of: date, lang: str = "en") -> list:
    """The findings of the portfolio rules on a batch run's facts (name -> facts.Fact)."""
    ctx = Context(data={}, facts=facts, refdata=None, as_of=as_of, lexicon=ruleset.lexicon)
    rules = [rule for rule in ruleset.rules if rule.scope == "portfolio"]
    return sorted(
        (evaluate_rule(rule, ctx, None, lang, ruleset.sources) for rule in rules), key=sort_key
    )


def context_for(proposal: Proposal, ruleset: Ruleset, refdata, as_of: date) -> Context:
    data = normalise(proposal.data)
    facts = compute_facts(data, refdata, as_of)
    return Context(data=data, facts=facts, refdata=refdata, as_of=as_of, lexicon=ruleset.lexicon)


def normalise(data: dict) -> dict:
    """The view rules see: a safeguard given as {done, reference} counts as its `done` value;
    whether it was independent ({independent: bool}) is under safeguard_independence."""
    safeguards = data.get("safeguards")
    if not isinstance(safeguards, dict):
        return data
    flat = {k: (v.get("done") if isinstance(v, dict) else v) for k, v in safeguards.items()}
    independence = {
        k: v["independent"]
        for k, v in safeguards.items()
        if isinstance(v, dict) and isinstance(v.get("independent"), bool)
    }
    return {**data, "safeguards": flat, "safeguard_independence": independence}


def status_of(rule: Rule, ctx: Context) -> tuple[str, Outcome]:
    # Truth values first, short-circuited: a rule that does not apply or passes shows no
    # evidence, so only the others are evaluated in full.
    scope_truth = rule.applies_when.truth(ctx) if rule.applies_when is not None else True
    if scope_truth is False:
        return _NOT_APPLICABLE
    if rule.flag_when.truth(ctx) is False:
        return _PASS
    if rule.applies_when is not None:
        flag = rule.flag_when.evaluate(ctx)
        if scope_truth is True and not flag.evidence and not _scope_quotes(rule):
            # What put the proposal in scope is shown only beside the flag's evidence or when
            # it quotes a sentence: neither can be, so the scope need not be worked out.
            return _status(flag.value), Outcome(flag.value, flag.evidence, flag.missing)
        scope = rule.applies_when.evaluate(ctx)
        if scope.value is None:
            # Unknown scope: only a definite "no" from flag_when would have settled the rule.
            # What left the scope open is shown (a sentence the text says only weakly).
            return "unclear", Outcome(
                None, flag.evidence, scope.missing + flag.missing, scope.evidence
            )
        # What put the proposal in scope is evidence too (the detention activity, say). A new
        # outcome: evaluated ones are shared between rules.
        outcome = Outcome(flag.value, flag.evidence, flag.missing, scope.evidence)
    else:
        outcome = rule.flag_when.evaluate(ctx)
    return _status(outcome.value), outcome


# Half the rules end here for a proposal: one outcome each, shared (outcomes are never changed).
_NOT_APPLICABLE = ("not-applicable", Outcome(False, [], []))
_PASS = ("pass", Outcome(False, [], []))


def _status(value) -> str:
    return "flag" if value is True else "pass" if value is False else "unclear"


def _scope_quotes(rule: Rule) -> bool:
    """Whether the rule's scope can quote a sentence (it reads text frames)."""
    quotes = rule.cache.get("scope-quotes")
    if quotes is None:
        quotes = rule.cache["scope-quotes"] = any(
            getattr(node, "operator", None) is not None and node.operator.kind == "frames"
            for node in rule.applies_when.nodes()
        )
    return quotes


def _static(rule: Rule, lang: str, registry: dict) -> tuple:
    """A rule's title, rationale, recommendation and described sources: the same for every
    proposal, so worked out once per language. Findings share them; nothing changes them."""
    texts = rule.cache.get(lang)
    if texts is None:
        texts = rule.cache[lang] = (
            rule.text("title", lang),
            rule.text("rationale", lang),
            rule.text("recommendation", lang),
            [describe_source(s, registry, lang) for s in rule.sources],
        )
    return texts


def _settled(rule: Rule, status: str, lang: str, registry: dict) -> Finding:
    """The finding of a rule that passes or does not apply: nothing in it depends on the
    proposal, so it is made once per language and shared (findings are never changed; waivers
    copy them)."""
    key = (status, lang)
    finding = rule.cache.get(key)
    if finding is None:
        finding = rule.cache[key] = _finding(
            rule, status, Outcome(False), None, None, lang, registry
        )
    return finding


def evaluate_rule(
    rule: Rule, ctx: Context, proposal: Proposal, lang: str, ctx_sources=None
) -> Finding:
    status, outcome = status_of(rule, ctx)
    if status == "pass" or status == "not-applicable":
        return _settled(rule, status, lang, ctx_sources or {})
    if status == "unclear" and not outcome.evidence and not _quoted(outcome.scope):
        # Unclear for want of the same fields, proposal after proposal (a portfolio of
        # activities that all lack them): such a finding depends on nothing else.
        key = ("unclear", lang, tuple(outcome.missing))
        finding = rule.cache.get(key)
        if finding is None:
            if len(rule.cache) > 256:  # fields under wildcards differ by index
                rule.cache.clear()
            finding = rule.cache[key] = _finding(
                rule, status, outcome, ctx, proposal, lang, ctx_sources
            )
        return finding
    return _finding(rule, status, outcome, ctx, proposal, lang, ctx_sources)


def _quoted(items: list) -> bool:
    return any(isinstance(v, dict) and "quote" in v for _p, v in items)


def _finding(rule, status, outcome, ctx, proposal, lang, ctx_sources) -> Finding:
    title, rationale, recommendation, sources = _static(rule, lang, ctx_sources or {})
    if status in ("flag", "unclear"):
        evidence = _evidence(outcome.evidence, ctx, proposal)
        deciding = {format_path(path) for path, _value in outcome.evidence}
        # What put the proposal in scope, then the flag's own evidence; where both name the
        # same field, the flag's item (its sentence) is shown, not the scope's mention.
        scope = [item for item in outcome.scope if format_path(item[0]) not in deciding]
        shown = (
            _evidence(scope + outcome.evidence, ctx, proposal, deciding)
            if evidence or _quoted(outcome.scope)
            else []
        )
    else:
        evidence = shown = []
    missing = sorted({format_path(p) for p in outcome.missing}) if status == "unclear" else []
    message = ""
    if status == "flag":
        message = _interpolate(rule.text("message", lang), evidence, ctx, lang)
    return Finding(
        rule.id,
        rule.principle,
        rule.severity,
        rule.kind,
        status,
        title,
        message,
        rationale,
        recommendation,
        shown,
        missing,
        sources,
        rule.references,
    )


def _evidence(
    items: list, ctx: Context, proposal: Proposal, deciding: set | None = None
) -> list[Evidence]:
    """Evidence of items (path, value); deciding: the paths of the flag's own evidence, when
    items also hold what put the proposal in scope (marked scope=True)."""
    out: list[Evidence] = []
    seen = set()
    for path, value in items:
        key = format_path(path)
        if key in seen:
            continue
        seen.add(key)
        element = None
        if path and path[0] == "facts":
            sources = ctx.facts[path[1]].sources
            line = proposal.line_of(sources[0]) if sources and proposal else None
            element = _derived_from(sources, proposal, ctx)
        elif path and path[0] in ("share", "count"):
            line = None
        else:
            line = proposal.line_of(path) if proposal else None
            element = _element(path, proposal)
        label = None
        if proposal and proposal.document.labels:
            source = sources[0] if path and path[0] == "facts" and sources else path
            label = proposal.document.label_of(source)
        said = None
        if isinstance(value, dict) and "quote" in value:  # a sentence the text layer found
            value, said = value["says"], value["quote"]
        elif isinstance(value, dict) and set(value) == {"mentions"} and proposal:
            from pcd_screen.engine.conditions import value_at
            from pcd_screen.engine.quotes import quote
            from pcd_screen.engine.text.reader import document_language

            try:
                text = value_at(proposal.data, path)
                said = quote(text, value["mentions"], document_language(proposal.data))
            except (KeyError, IndexError, TypeError):
                said = None
        if said and proposal and proposal.document.labels:
            from pcd_screen.engine.quotes import section_of

            label = section_of(said, proposal) or label
        elif said and proposal:  # the sentence's own line, not its key's (a folded block)
            line = proposal.document.line_of_quote(path, said)
        scope = True if deciding is not None and key not in deciding else None
        out.append(Evidence(key, value, line, element, label, said, scope))
        if len(out) == MAX_EVIDENCE:
            break
    return out


def _element(path, proposal: Proposal | None) -> str | None:
    """ "<sector> line 25": the source element of an imported value, if the input knows it."""
    if proposal is None or not proposal.document.elements:
        return None
    element = proposal.document.element_of(tuple(path))
    line = proposal.line_of(path)
    if element is None:
        return None
    return f"<{element}> line {line}" if line else f"<{element}>"


def _derived_from(sources, proposal: Proposal | None, ctx: Context) -> str | None:
    """For a fact of an imported proposal: the source elements of the fields it was derived
    from, e.g. "derived from activities (<sector> line 25)"."""
    if proposal is None or not proposal.document.elements or not sources:
        return None
    parts = []
    by_head = _elements_by_head(ctx, proposal.document)
    for source in sources:
        prefix = tuple(source)
        found = sorted(
            {
                (line, element)
                for p, element in by_head.get(prefix[:1], ())
                if p[: len(prefix)] == prefix
                and (line := proposal.document.positions.get(p, (None,))[0])
            }
        )
        if not found:
            own = _element(prefix, proposal)
            found_text = own or "?"
        else:
            found_text = ", ".join(f"<{e}> line {n}" for n, e in found[:5])
        parts.append(f"{format_path(prefix)} ({found_text})")
    return "derived from " + "; ".join(parts)


def _elements_by_head(ctx: Context, document) -> dict:
    """The source elements of the document grouped by their path's first part, made once per
    screening: findings on many facts look them up."""
    index = ctx.memo.get("elements-by-head")
    if index is None:
        index = ctx.memo["elements-by-head"] = {}
        for path, element in document.elements.items():
            index.setdefault(path[:1], []).append((path, element))
    return index


def _interpolate(template: str, evidence: list[Evidence], ctx: Context, lang: str) -> str:
    def replace(match):
        key = match.group(1)
        if key == "evidence":
            values = []
            # Yes/no values (an absent safeguard, say) read badly inside a sentence.
            for item in (e for e in evidence if not isinstance(e.value, bool)):
                shown = format_evidence(item, lang)  # a frame the text said by its label
                if shown not in values:
                    values.append(shown)
            if values:
                return ", ".join(values)
            from pcd_screen.core.i18n import translations

            return translations(lang).gettext("see evidence")
        name = key.split(".", 1)[1]
        fact = ctx.facts.get(name)
        return format_value(name, fact.value if fact else None, lang)

    return _PLACEHOLDER.sub(replace, template)
