import networkx as nx
from hypothesis import given, settings, strategies as st

from debate.tab.rooms import RoomInfo, RoomNeed, assign_rooms


@st.composite
def room_instances(draw):
    nr = draw(st.integers(0, 8))
    rooms = [RoomInfo(100 + i, draw(st.booleans()), draw(st.integers(0, 5))) for i in range(nr)]
    nd = draw(st.integers(0, 9))
    needs = []
    for i in range(nd):
        locked = None
        if rooms and draw(st.integers(0, 5)) == 0:
            locked = draw(st.sampled_from(rooms)).id
        needs.append(RoomNeed(i, draw(st.booleans()), draw(st.floats(0, 5, allow_nan=False)), locked))
    return needs, rooms


def max_placed(needs, rooms):
    g = nx.Graph()
    left = [("d", n.debate_id) for n in needs]
    g.add_nodes_from(left)
    for n in needs:
        for r in rooms:
            if r.accessible or not n.needs_accessible:
                g.add_edge(("d", n.debate_id), ("r", r.id))
    m = nx.bipartite.maximum_matching(g, top_nodes=left) if left else {}
    return sum(1 for x in left if x in m)


@settings(deadline=None, max_examples=200)
@given(room_instances())
def test_room_properties(inst):
    needs, rooms = inst
    result, notes = assign_rooms(needs, rooms)
    by_id = {r.id: r for r in rooms}
    assert len(set(result.values())) == len(result), "two debates in one room"
    noted = {d for d, _ in notes}
    first_lock = {}
    for n in needs:
        if n.locked_room is not None and n.locked_room not in first_lock:
            first_lock[n.locked_room] = n.debate_id
    for n in needs:
        if first_lock.get(n.locked_room) == n.debate_id:
            assert result[n.debate_id] == n.locked_room  # locks kept
            continue
        if n.debate_id in result:
            assert by_id[result[n.debate_id]].accessible or not n.needs_accessible
        else:
            assert n.debate_id in noted
    # without locks, as many debates as possible get a room
    if all(n.locked_room is None for n in needs):
        assert len(result) == max_placed(needs, rooms)


def test_accessible_rooms_kept_for_those_who_need_them():
    rooms = [RoomInfo(1, accessible=True, priority=9), RoomInfo(2, priority=1), RoomInfo(3, priority=1)]
    needs = [RoomNeed(10, importance=5.0), RoomNeed(11, needs_accessible=True), RoomNeed(12)]
    result, notes = assign_rooms(needs, rooms)
    assert result[11] == 1
    assert notes == []


def test_shortage_reported_and_important_debates_placed():
    rooms = [RoomInfo(1, priority=5), RoomInfo(2, priority=1)]
    needs = [RoomNeed(10, importance=0.0), RoomNeed(11, importance=3.0), RoomNeed(12, importance=9.0)]
    result, notes = assign_rooms(needs, rooms)
    assert result == {12: 1, 11: 2}
    assert notes == [(10, "not_enough_rooms")]


def test_no_accessible_room():
    result, notes = assign_rooms([RoomNeed(1, needs_accessible=True)], [RoomInfo(5)])
    assert result == {} and notes == [(1, "no_accessible_room")]


def test_priority_follows_importance():
    rooms = [RoomInfo(i, priority=i) for i in range(5)]
    needs = [RoomNeed(10 + i, importance=float(i)) for i in range(5)]
    result, _ = assign_rooms(needs, rooms)
    assert result == {10 + i: i for i in range(5)}


def test_locked_room_kept_and_double_lock_noted():
    rooms = [RoomInfo(1, priority=9), RoomInfo(2, priority=1)]
    needs = [RoomNeed(10, importance=9, locked_room=2), RoomNeed(11, locked_room=2), RoomNeed(12, locked_room=77)]
    result, notes = assign_rooms(needs, rooms)
    assert result[10] == 2 and result[12] == 77 and result[11] == 1
    assert (11, "locked_room_taken") in notes and (12, "locked_room_unknown") in notes
