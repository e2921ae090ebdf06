"""Field-level last-writer-wins by HLC: order of arrival never matters, losers are kept."""

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from shared.clock import HLCTimestamp
from sync.records import FieldValue, merge_fields

FIELDS = ["email", "phone", "name"]
edits = st.lists(
    st.tuples(
        st.sampled_from(FIELDS),
        st.text(max_size=5),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=3),
        st.sampled_from(["edge-1", "edge-2", "hub"]),
    ),
    max_size=12,
    unique_by=lambda edit: (edit[2], edit[3], edit[4]),  # a node never issues a stamp twice
)


def as_updates(raw: list[tuple[str, str, int, int, str]]) -> list[dict[str, FieldValue]]:
    return [
        {field: FieldValue(value, HLCTimestamp(1_000 + wall, counter, node).encode())}
        for field, value, wall, counter, node in raw
    ]


@given(edits, st.randoms())
def test_replicas_that_saw_the_same_edits_agree_whatever_the_order(
    raw: list[tuple[str, str, int, int, str]], random: Random
) -> None:
    updates = as_updates(raw)
    shuffled = list(updates)
    random.shuffle(shuffled)
    one: dict[str, FieldValue] = {}
    two: dict[str, FieldValue] = {}
    for update in updates:
        one, _ = merge_fields(one, update)
    for update in shuffled:
        two, _ = merge_fields(two, update)
    assert {f: v.hlc for f, v in one.items()} == {f: v.hlc for f, v in two.items()}


@given(edits)
def test_merging_an_edit_twice_changes_nothing(raw: list[tuple[str, str, int, int, str]]) -> None:
    state: dict[str, FieldValue] = {}
    for update in as_updates(raw):
        state, _ = merge_fields(state, update)
        again, _ = merge_fields(state, update)  # a repeated loss is logged once (unique key)
        assert again == state


def test_the_newer_edit_wins_each_field_and_the_other_value_is_logged() -> None:
    held = {
        "email": FieldValue("old@shop.test", HLCTimestamp(100, 0, "hub").encode()),
        "phone": FieldValue("0161 000", HLCTimestamp(300, 0, "hub").encode()),
    }
    arriving = {
        "email": FieldValue("new@shop.test", HLCTimestamp(200, 0, "edge-1").encode()),
        "phone": FieldValue("0161 999", HLCTimestamp(250, 0, "edge-1").encode()),
    }
    merged, conflicts = merge_fields(held, arriving)
    assert merged["email"].value == "new@shop.test" and merged["phone"].value == "0161 000"
    assert sorted((c.field, c.kept.value, c.lost.value) for c in conflicts) == [
        ("email", "new@shop.test", "old@shop.test"),
        ("phone", "0161 000", "0161 999"),
    ]


def test_overwriting_the_value_one_saw_is_not_a_conflict_but_a_concurrent_edit_is() -> None:
    seen = FieldValue("0161 000", HLCTimestamp(100, 0, "hub").encode())
    concurrent = FieldValue("0161 555", HLCTimestamp(150, 0, "edge-2").encode())
    edit = FieldValue("0161 999", HLCTimestamp(200, 0, "edge-1").encode(), base=seen.hlc)
    _, overwrite = merge_fields({"phone": seen}, {"phone": edit})
    assert overwrite == []
    merged, conflicts = merge_fields({"phone": concurrent}, {"phone": edit})
    assert merged["phone"] == edit
    assert [(c.kept.value, c.lost.value) for c in conflicts] == [("0161 999", "0161 555")]
    # The same pair met the other way round (the loser arriving late) logs the same loss.
    _, late = merge_fields({"phone": edit}, {"phone": concurrent})
    assert [(c.kept.value, c.lost.value) for c in late] == [("0161 999", "0161 555")]
