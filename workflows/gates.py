"""Approval gates: who may open each gate, what was decided, and the audit log of every attempt.

Pure bookkeeping (no Temporal calls), so the rules are unit-tested directly and the workflow stays
small: the workflow asks ``decide`` on each approve/reject and records what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from waves.model import DECISION_APPROVE, AuditEntry, GatePolicy, PendingGate


@dataclass
class Gate:
    key: str  # "promote", "cutover" or "cutover:<dag_id>"
    gate: str
    policy: GatePolicy
    since: str
    detail: str = ""
    dag_id: str = ""
    escalated: bool = False
    decision: str = ""  # "" while open; approve | reject
    decided_by: str = ""
    comment: str = ""

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.policy.approvers + (self.policy.escalate_to if self.escalated else ())

    @property
    def open(self) -> bool:
        return not self.decision

    def view(self) -> PendingGate:
        return PendingGate(gate=self.gate, approvers=self.allowed, since=self.since, detail=self.detail,
                           dag_id=self.dag_id)


@dataclass
class Gates:
    """The open and decided gates of one wave, and the audit log."""

    gates: dict[str, Gate] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    @staticmethod
    def key(gate: str, dag_id: str = "") -> str:
        return f"{gate}:{dag_id}" if dag_id else gate

    def open(self, gate: str, policy: GatePolicy, now: str, detail: str = "", dag_id: str = "") -> Gate:
        key = self.key(gate, dag_id)
        if key not in self.gates:
            self.gates[key] = Gate(key=key, gate=gate, policy=policy, since=now, detail=detail, dag_id=dag_id)
        return self.gates[key]

    def pending(self) -> tuple[PendingGate, ...]:
        return tuple(g.view() for g in self.gates.values() if g.open)

    def check(self, gate: str, approver: str, dag_id: str = "") -> str:
        """Why an approval/rejection would be refused, or "" when it would count. Changes nothing."""
        found = self.gates.get(self.key(gate, dag_id))
        if found is None:
            where = f" for DAG {dag_id}" if dag_id else ""
            return f"gate {gate!r}{where} is not open"
        if not found.open:
            return f"gate {found.key!r} was already decided ({found.decision} by {found.decided_by})"
        if approver not in found.allowed:
            return f"{approver!r} may not decide gate {found.key!r} (allowed: {', '.join(found.allowed)})"
        return ""

    def decide(self, decision: str, gate: str, approver: str, comment: str, now: str, dag_id: str = "") -> str:
        """Apply an approve/reject attempt and record it; returns the refusal reason ("" when accepted)."""
        refusal = self.check(gate, approver, dag_id)
        self.audit.append(AuditEntry(at=now, action=decision, gate=gate, actor=approver, accepted=not refusal,
                                     detail=refusal or comment, dag_id=dag_id))
        if not refusal:
            found = self.gates[self.key(gate, dag_id)]
            found.decision, found.decided_by, found.comment = decision, approver, comment
        return refusal

    def expire(self, key: str, now: str) -> str:
        """A gate timed out: escalate once if the policy says so, else reject. Returns what happened."""
        found = self.gates[key]
        if found.policy.on_timeout == "escalate" and not found.escalated:
            found.escalated = True
            self.audit.append(AuditEntry(at=now, action="escalate", gate=found.gate, actor="timeout", accepted=True,
                                         detail=f"now also allowed: {', '.join(found.policy.escalate_to)}",
                                         dag_id=found.dag_id))
            return "escalated"
        found.decision, found.decided_by = "reject", "timeout"
        self.audit.append(AuditEntry(at=now, action="timeout", gate=found.gate, actor="timeout", accepted=True,
                                     detail="no decision in time: rejected", dag_id=found.dag_id))
        return "rejected"

    def record(self, action: str, actor: str, accepted: bool, now: str, detail: str = "", dag_id: str = "",
               gate: str = "") -> None:
        self.audit.append(AuditEntry(at=now, action=action, gate=gate, actor=actor, accepted=accepted,
                                     detail=detail, dag_id=dag_id))

    def approved(self, key: str) -> bool:
        found = self.gates.get(key)
        return found is not None and found.decision == DECISION_APPROVE
