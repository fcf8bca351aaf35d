"""Seating: placement within capacity, different variants for desk neighbours, classmates apart, idempotent
re-runs, and moves by hand."""

import random
from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError

from procedures.models import Participant, Room, Seat
from procedures.services.seating import (
    RoomShape,
    Seatable,
    place_in_room,
    plan_seating,
    seat_move,
    sitting_room_release,
    sitting_seat,
    variant_for,
)
from schools.models import AuditEntry
from tests.factories import make_sitting_room

from .test_staffing import build_classes, build_room, build_sitting, build_staff, make_participants


@pytest.fixture
def classes(school):
    return build_classes(school)


@pytest.fixture
def russian(assessment):
    return assessment


@pytest.fixture
def sitting(campaign, school, russian, classes):
    return build_sitting(campaign, school, russian, classes)


@pytest.fixture
def room_12(school):
    return build_room(school, "Кабинет 12")


@pytest.fixture
def room_14(school):
    return build_room(school, "Кабинет 14")


@pytest.fixture
def staff(school, classes):
    return build_staff(school, classes)


SHAPES = [(1, 1), (1, 2), (1, 3), (2, 3), (3, 4), (4, 5), (5, 6), (6, 4), (5, 7)]


def people(counts: dict[str, int]) -> list[Seatable]:
    result, next_id = [], 1
    for group, n in counts.items():
        for i in range(n):
            result.append(Seatable(next_id, group, (f"{group}{i:03d}",)))
            next_id += 1
    return result


def random_counts(rng: random.Random, total: int) -> dict[str, int]:
    groups = ["4А", "4Б", "4В", "4Г"][: rng.randint(1, 4)]
    counts = Counter(rng.choice(groups) for _ in range(total))
    return dict(counts)


def desks_of(seats: dict[int, tuple[int, int]]) -> dict[tuple[int, int], list[int]]:
    desks = defaultdict(list)
    for person_id, (row, column) in seats.items():
        desks[(row, (column + 1) // 2)].append(person_id)
    return desks


def cases():
    rng = random.Random(2026)
    for rows, columns in SHAPES:
        capacity = rows * columns
        for n in sorted({0, 1, capacity // 2, capacity - 1, capacity, rng.randint(0, capacity)}):
            if n >= 0:
                yield rows, columns, random_counts(rng, n)


# The placement in one room (no database) -----------------------------------------------------------------------


@pytest.mark.parametrize("rows, columns, counts", list(cases()))
def test_everyone_gets_one_seat_in_the_room_and_desk_neighbours_have_different_variants(rows, columns, counts):
    crowd = people(counts)

    seats = place_in_room(crowd, RoomShape(1, rows, columns))

    assert sorted(seats) == sorted(p.id for p in crowd)
    assert len(set(seats.values())) == len(seats)
    assert all(1 <= r <= rows and 1 <= c <= columns for r, c in seats.values())
    taken = set(seats.values())
    for row, column in taken:
        if column % 2 == 1 and (row, column + 1) in taken:  # desk neighbours
            assert variant_for(row, column) != variant_for(row, column + 1)
        if (row + 1, column) in taken:  # front and back
            assert variant_for(row, column) != variant_for(row + 1, column)


@pytest.mark.parametrize("rows, columns, counts", list(cases()))
def test_classmates_share_a_desk_only_when_one_class_outnumbers_the_desks(rows, columns, counts):
    crowd = people(counts)
    group = {p.id: p.group for p in crowd}
    desks = rows * ((columns + 1) // 2)

    seats = place_in_room(crowd, RoomShape(1, rows, columns))

    shared = [ids for ids in desks_of(seats).values() if len(ids) == 2]
    classmates = [ids for ids in shared if group[ids[0]] == group[ids[1]]]
    if len(counts) > 1:
        used = min(len(crowd), desks)
        assert len(classmates) == max(0, max(counts.values()) - used)
    if len(crowd) <= desks:
        assert not shared  # alone at a desk while there are free desks


def test_classes_are_interleaved_across_desks():
    crowd = people({"4А": 6, "4Б": 6})

    seats = place_in_room(crowd, RoomShape(1, 4, 6))  # 12 desks: everyone alone
    group = {p.id: p.group for p in crowd}
    at = {place: group[person] for person, place in seats.items()}

    for (row, column), name in at.items():
        assert at.get((row, column + 2), "—") != name  # the next desk in the row
        assert at.get((row + 1, column), "—") != name  # the desk behind


def test_the_placement_is_deterministic():
    crowd = people({"4А": 13, "4Б": 11, "4В": 4})
    rooms = [RoomShape(1, 4, 4), RoomShape(2, 3, 6)]

    assert plan_seating(crowd, rooms) == plan_seating(list(reversed(crowd)), rooms)


@pytest.mark.parametrize("total", [0, 1, 17, 33, 34])
def test_rooms_fill_in_proportion_and_never_over_capacity(total):
    rooms = [RoomShape(1, 4, 4), RoomShape(2, 3, 6)]  # 16 + 18 seats
    crowd = people({"4А": total // 2, "4Б": total - total // 2})

    placement = plan_seating(crowd, rooms)

    assert len(placement) == total
    per_room = Counter(room for room, _row, _column in placement.values())
    assert per_room[1] <= 16 and per_room[2] <= 18
    assert abs(per_room[1] / 16 - per_room[2] / 18) <= 1 / 16 + 1 / 18


def test_more_participants_than_seats_are_refused():
    with pytest.raises(ValidationError, match="Не хватает мест: участников 5, мест в выбранных аудиториях 4"):
        plan_seating(people({"4А": 5}), [RoomShape(1, 2, 2)])


# Seating a sitting ---------------------------------------------------------------------------------------------


@pytest.fixture
def rooms(sitting, room_12, room_14):
    return [make_sitting_room(sitting, room) for room in (room_12, room_14)]


@pytest.fixture
def writers(russian, classes):
    return make_participants(russian, classes["4А"], 14) + make_participants(russian, classes["4Б"], 12)


@pytest.mark.django_db
def test_a_sitting_is_seated_within_capacity_with_variants_from_the_seats(sitting, rooms, writers, coordinator):
    result = sitting_seat(sitting=sitting, actor=coordinator)

    seats = list(Seat.objects.select_related("participant", "sitting_room__room"))
    assert result.seated == len(seats) == 26
    assert {s.participant_id for s in seats} == {p.pk for p in writers}
    for seat in seats:
        assert seat.row <= seat.sitting_room.room.rows and seat.column <= seat.sitting_room.room.columns
        assert seat.participant.variant == variant_for(seat.row, seat.column)
    by_room = Counter(s.sitting_room_id for s in seats)
    assert max(by_room.values()) <= 16
    assert AuditEntry.objects.filter(action="seating.automatic").count() == 1


@pytest.mark.django_db
def test_no_two_desk_neighbours_share_a_variant_after_seating(sitting, rooms, writers, coordinator):
    sitting_seat(sitting=sitting, actor=coordinator)

    variants = {
        (s.sitting_room_id, s.row, s.column): s.participant.variant for s in Seat.objects.select_related("participant")
    }
    for (room, row, column), variant in variants.items():
        if column % 2 == 1 and (room, row, column + 1) in variants:
            assert variants[(room, row, column + 1)] != variant


@pytest.mark.django_db
def test_classmates_do_not_share_a_desk_in_a_room_of_two_classes(sitting, room_12, russian, classes, coordinator):
    make_sitting_room(sitting, room_12)  # 16 seats, 8 desks
    make_participants(russian, classes["4А"], 8)
    make_participants(russian, classes["4Б"], 7)

    sitting_seat(sitting=sitting, actor=coordinator)

    desks = defaultdict(list)
    for seat in Seat.objects.select_related("participant"):
        desks[(seat.row, (seat.column + 1) // 2)].append(seat.participant.class_name)
    assert all(len(set(names)) == len(names) for names in desks.values())
    assert sum(len(names) == 2 for names in desks.values()) == 7


@pytest.mark.django_db
def test_every_class_is_spread_over_the_rooms_and_kept_apart_at_the_desks(sitting, rooms, writers, coordinator):
    """14 of 4А and 12 of 4Б in two rooms of 8 desks each: both classes in both rooms, no classmates at a desk."""
    sitting_seat(sitting=sitting, actor=coordinator)

    classes_in = defaultdict(Counter)
    desks = defaultdict(list)
    for seat in Seat.objects.select_related("participant"):
        classes_in[seat.sitting_room_id][seat.participant.class_name] += 1
        desks[(seat.sitting_room_id, seat.row, (seat.column + 1) // 2)].append(seat.participant.class_name)
    assert all(set(counts) == {"4А", "4Б"} for counts in classes_in.values())
    assert all(abs(counts["4А"] - 7) <= 1 for counts in classes_in.values())
    assert all(len(set(names)) == len(names) for names in desks.values())


@pytest.mark.django_db
def test_seating_again_changes_nothing(sitting, rooms, writers, coordinator):
    sitting_seat(sitting=sitting, actor=coordinator)
    before = set(Seat.objects.values_list("id", "participant_id", "sitting_room_id", "row", "column"))

    result = sitting_seat(sitting=sitting, actor=coordinator)

    assert result.changed == 0 and result.removed == 0 and result.seated == 26
    assert set(Seat.objects.values_list("id", "participant_id", "sitting_room_id", "row", "column")) == before
    assert AuditEntry.objects.filter(action="seating.automatic").count() == 1


@pytest.mark.django_db
def test_only_those_who_write_at_this_sitting_are_seated_and_an_exempted_one_leaves(
    sitting, rooms, writers, campaign, classes, coordinator
):
    from tests.factories import make_assessment

    maths = make_assessment(campaign, code="MA-4", subject="Математика")
    make_participants(maths, classes["4А"], 3)  # another assessment
    seated_first = sitting_seat(sitting=sitting, actor=coordinator).seated
    exempted = writers[0]
    exempted.status = Participant.Status.EXEMPT
    exempted.save()

    result = sitting_seat(sitting=sitting, actor=coordinator)

    assert seated_first == 26 and result.seated == 25 and result.removed == 1
    exempted.refresh_from_db()
    assert not Seat.objects.filter(participant=exempted).exists() and exempted.variant is None
    assert not Seat.objects.filter(participant__assessment=maths).exists()


@pytest.mark.django_db
def test_seating_without_enough_seats_is_refused_and_writes_nothing(sitting, room_12, russian, classes, coordinator):
    make_sitting_room(sitting, room_12)
    make_participants(russian, classes["4А"], 17)

    with pytest.raises(ValidationError, match="Не хватает мест: участников 17, мест в выбранных аудиториях 16"):
        sitting_seat(sitting=sitting, actor=coordinator)
    assert not Seat.objects.exists()


@pytest.mark.django_db
def test_a_sitting_without_rooms_is_not_seated(sitting, writers, coordinator):
    with pytest.raises(ValidationError, match="Сначала выберите аудитории"):
        sitting_seat(sitting=sitting, actor=coordinator)


# Moves by hand -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_participant_moves_to_a_free_seat_of_another_room_with_the_seats_variant(
    sitting, rooms, writers, coordinator
):
    sitting_seat(sitting=sitting, actor=coordinator)
    mover = writers[0]
    target = rooms[1]
    free = next(
        (r, c)
        for r in range(1, 5)
        for c in range(1, 5)
        if not Seat.objects.filter(sitting_room=target, row=r, column=c).exists()
    )

    seat_move(participant=mover, sitting_room=target, row=free[0], column=free[1], actor=coordinator)

    seat = Seat.objects.get(participant=mover)
    mover.refresh_from_db()
    assert (seat.sitting_room, seat.row, seat.column) == (target, *free)
    assert mover.variant == variant_for(*free)
    assert AuditEntry.objects.filter(action="seating.moved").exists()


@pytest.mark.django_db
def test_moving_onto_an_occupied_seat_swaps_the_two(sitting, rooms, writers, coordinator):
    sitting_seat(sitting=sitting, actor=coordinator)
    first, second = Seat.objects.filter(sitting_room=rooms[0]).order_by("row", "column")[:2]
    a, b = first.participant, second.participant
    place_a, place_b = (first.row, first.column), (second.row, second.column)

    seat_move(participant=a, sitting_room=rooms[0], row=place_b[0], column=place_b[1], actor=coordinator)

    assert (Seat.objects.get(participant=a).row, Seat.objects.get(participant=a).column) == place_b
    assert (Seat.objects.get(participant=b).row, Seat.objects.get(participant=b).column) == place_a
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.variant == variant_for(*place_b) and b.variant == variant_for(*place_a)
    assert AuditEntry.objects.filter(action="seating.swapped").exists()


@pytest.mark.django_db
def test_a_seat_outside_the_room_is_refused(sitting, rooms, writers, coordinator):
    sitting_seat(sitting=sitting, actor=coordinator)

    with pytest.raises(ValidationError, match="места ряд 5, место 1 нет"):
        seat_move(participant=writers[0], sitting_room=rooms[0], row=5, column=1, actor=coordinator)


@pytest.mark.django_db
def test_seats_of_a_released_room_are_frozen(sitting, rooms, writers, staff, coordinator):
    from procedures.services.staffing import organizer_appoint

    sitting_seat(sitting=sitting, actor=coordinator)
    for name in ("Кедров", "Клёнова"):
        organizer_appoint(sitting_room=rooms[0], staff=staff[name], actor=coordinator)
    sitting_room_release(sitting_room=rooms[0], actor=coordinator)
    seated_elsewhere = Seat.objects.filter(sitting_room=rooms[1]).first().participant

    with pytest.raises(ValidationError, match="уже переданы организаторам"):
        seat_move(participant=seated_elsewhere, sitting_room=rooms[0], row=4, column=4, actor=coordinator)
    with pytest.raises(ValidationError, match="уже переданы организаторам"):
        sitting_seat(sitting=sitting, actor=coordinator)


@pytest.mark.django_db
def test_a_room_that_shrinks_below_a_taken_seat_is_refused(sitting, rooms, writers, coordinator):
    from procedures.services.seating import room_save

    sitting_seat(sitting=sitting, actor=coordinator)
    room = Room.objects.get(pk=rooms[0].room_id)
    room.rows = 1

    with pytest.raises(ValidationError, match="за пределами новых размеров"):
        room_save(room=room, actor=coordinator)
