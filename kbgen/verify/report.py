"""All endpoints probed under one deadline, and what the run's outcome is."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..data.errors import Problem, sort_problems
from ..data.kb import KB
from .net import ConnectTo, Deadline, Unreachable, contexts
from .probe import Outcome, probe
from .published_dns import Nameserver, check_published
from .setup_hosts import check_setup_hosts
from .targets import Target, targets

OK, WRONG, UNREACHABLE = 0, 1, 2
"""Exit codes: every fact holds; a server contradicts the data; a server could not be asked."""


@dataclass
class Report:
    checked: list[Target] = field(default_factory=list)
    dns_domain: str | None = None  # the domain whose records were asked for, with --dns
    wrong: list[Problem] = field(default_factory=list)
    unreachable: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return sort_problems([*self.wrong, *self.unreachable])

    @property
    def status(self) -> int:
        # A proven mistake outranks a server that did not answer: it needs fixing either way.
        return WRONG if self.wrong else UNREACHABLE if self.unreachable else OK

    def summary(self) -> str:
        endpoints = f"{len(self.checked)} endpoint(s)"
        if self.dns_domain:
            endpoints += f" and the DNS records of {self.dns_domain}"
        if self.status == OK:
            return f"kbgen: the servers do what the data says: {endpoints} checked"
        parts = []
        if self.wrong:
            parts.append(f"{len(self.wrong)} fact(s) contradicted by the servers")
        if self.unreachable:
            parts.append(f"{len(self.unreachable)} endpoint(s) not reachable")
        return f"kbgen: {', '.join(parts)}, of {endpoints}"


def verify(kb: KB, sample_domain: str, connect_to: list[ConnectTo], cafile: str | None,
           timeout: float, deadline_seconds: float, *, dns: bool = False,
           nameserver: Nameserver | None = None) -> Report:
    deadline = Deadline(deadline_seconds, timeout)
    trust = contexts(cafile)
    report = Report()
    for target in targets(kb, sample_domain):
        report.checked.append(target)
        try:
            deadline.wait()
        except Unreachable as err:
            outcome = Outcome(unreachable=[target.problem("endpoint", str(err),
                                                           "give --deadline more seconds")])
        else:
            outcome = probe(target, connect_to, trust, deadline)
        report.wrong.extend(outcome.wrong)
        report.unreachable.extend(outcome.unreachable)
    outcome = check_setup_hosts(kb, sample_domain, connect_to, trust[0], deadline)
    report.wrong.extend(outcome.wrong)
    report.unreachable.extend(outcome.unreachable)
    if dns and kb.provider.dns is not None:
        report.dns_domain = sample_domain
        outcome = check_published(kb, sample_domain, nameserver, deadline)
        report.wrong.extend(outcome.wrong)
        report.unreachable.extend(outcome.unreachable)
    return report
