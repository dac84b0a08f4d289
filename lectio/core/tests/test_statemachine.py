"""The status machines: the checking function and the tables of ARCHITECTURE.md."""

from __future__ import annotations

import pytest

from lectio.core.statemachine import ANY, InvalidTransition, StatusMachine
from lectio.lists.statuses import (
    CITATION_MACHINE,
    LIST_MACHINE,
    PUBLICATION_MACHINE,
    CitationStatus,
    ListStatus,
    PublicationStatus,
)

TRAFFIC = StatusMachine(
    name="light",
    transitions={"red": {"green"}, "green": {"amber"}, "amber": {"red"}, ANY: {"off"}},
    labels={"red": "Red", "green": "Green", "amber": "Amber", "off": "Off"},
)


# --- the checking function ---------------------------------------------------------


def test_allowed_from_joins_own_row_and_any_row():
    assert TRAFFIC.allowed_from("red") == {"green", "off"}


def test_any_row_does_not_allow_staying_put():
    assert TRAFFIC.allowed_from("off") == set()
    assert not TRAFFIC.can("off", "off")


def test_unknown_state_may_only_take_any_transitions():
    assert TRAFFIC.allowed_from("blinking") == {"off"}


def test_check_passes_an_allowed_transition():
    assert TRAFFIC.check("red", "green") is None


def test_check_refuses_with_current_target_and_sorted_allowed():
    with pytest.raises(InvalidTransition) as info:
        TRAFFIC.check("red", "amber")

    error = info.value
    assert error.machine is TRAFFIC
    assert (error.current, error.target) == ("red", "amber")
    assert error.allowed == ["green", "off"]
    assert str(error) == ("Cannot change light from Red to Amber; allowed: Green, Off.")


def test_refusal_from_a_dead_end_says_none_allowed():
    with pytest.raises(InvalidTransition) as info:
        TRAFFIC.check("off", "red")

    assert info.value.allowed == []
    assert str(info.value) == "Cannot change light from Off to Red; allowed: none."


def test_labels_fall_back_to_state_values():
    bare = StatusMachine(name="thing", transitions={"a": {"b"}})

    with pytest.raises(InvalidTransition) as info:
        bare.check("b", "a")

    assert str(info.value) == "Cannot change thing from b to a; allowed: none."


# --- the product's machines --------------------------------------------------------

L, C, P = ListStatus, CitationStatus, PublicationStatus

LIST_TABLE = {
    L.BEING_PREPARED: {L.READY_FOR_PROCESSING, L.INACTIVE},
    L.READY_FOR_PROCESSING: {L.BEING_PROCESSED, L.BEING_PREPARED, L.INACTIVE},
    L.BEING_PROCESSED: {L.COMPLETE, L.READY_FOR_PROCESSING, L.INACTIVE},
    L.COMPLETE: {L.READY_FOR_PROCESSING, L.BEING_PROCESSED, L.INACTIVE},
    L.INACTIVE: {L.BEING_PREPARED},
    L.ROLLED_OVER: {L.BEING_PREPARED, L.READY_FOR_PROCESSING, L.INACTIVE},
}

CITATION_TABLE = {
    C.BEING_PREPARED: {C.READY_FOR_PROCESSING, C.COMPLETE, C.INACTIVE},
    C.READY_FOR_PROCESSING: {
        C.IN_PROCESS,
        C.COMPLETE,
        C.DECLINED,
        C.BEING_PREPARED,
        C.INACTIVE,
    },
    C.IN_PROCESS: {C.COMPLETE, C.DECLINED, C.READY_FOR_PROCESSING, C.INACTIVE},
    C.COMPLETE: {C.READY_FOR_PROCESSING, C.IN_PROCESS, C.INACTIVE},
    C.DECLINED: {C.READY_FOR_PROCESSING, C.IN_PROCESS, C.INACTIVE},
    C.INACTIVE: {C.BEING_PREPARED},
}

PUBLICATION_TABLE = {
    P.DRAFT: {P.PUBLISHED, P.ARCHIVED},
    P.PUBLISHED: {P.DRAFT, P.ARCHIVED},
    P.ARCHIVED: {P.DRAFT, P.PUBLISHED},
}

MACHINES = [
    pytest.param(LIST_MACHINE, ListStatus, LIST_TABLE, id="list"),
    pytest.param(CITATION_MACHINE, CitationStatus, CITATION_TABLE, id="citation"),
    pytest.param(PUBLICATION_MACHINE, PublicationStatus, PUBLICATION_TABLE, id="pub"),
]


@pytest.mark.parametrize(("machine", "states", "table"), MACHINES)
def test_every_state_allows_exactly_the_documented_moves(machine, states, table):
    assert set(table) == set(states.values)
    for state in states.values:
        assert machine.allowed_from(state) == table[state], state


@pytest.mark.parametrize(("machine", "states", "table"), MACHINES)
def test_every_undocumented_move_is_refused(machine, states, table):
    for current in states.values:
        for target in set(states.values) - table[current]:
            assert not machine.can(current, target), (current, target)
            with pytest.raises(InvalidTransition):
                machine.check(current, target)


def test_list_refusal_names_current_status_and_allowed_ones():
    with pytest.raises(InvalidTransition) as info:
        LIST_MACHINE.check(L.BEING_PREPARED, L.COMPLETE)

    assert str(info.value) == (
        "Cannot change list status from Being prepared to Complete; "
        "allowed: Inactive, Ready for processing."
    )


def test_citation_refusal_names_current_status_and_allowed_ones():
    with pytest.raises(InvalidTransition) as info:
        CITATION_MACHINE.check(C.COMPLETE, C.DECLINED)

    assert str(info.value) == (
        "Cannot change citation status from Complete to Declined; "
        "allowed: In process, Inactive, Ready for processing."
    )


def test_publication_refuses_staying_in_the_same_state():
    with pytest.raises(InvalidTransition) as info:
        PUBLICATION_MACHINE.check(P.PUBLISHED, P.PUBLISHED)

    assert str(info.value) == (
        "Cannot change publication status from Published to Published; "
        "allowed: Archived, Draft."
    )


@pytest.mark.parametrize(
    ("machine", "states"),
    [(LIST_MACHINE, ListStatus), (CITATION_MACHINE, CitationStatus)],
)
def test_anything_active_may_be_made_inactive(machine, states):
    for state in states.values:
        if state != "Inactive":
            assert machine.can(state, "Inactive"), state
