"""The paths through the graph that the API follows, named once (direction as in DESIGN.md)."""

from __future__ import annotations

from graph_api.models import Direction, Hop

OUT, IN = Direction.OUT, Direction.IN

Path = tuple[Hop, ...]

MUNICIPALITY_REGION: Path = (Hop("IN_REGION", OUT, "Region"),)
MUNICIPALITY_WELFARE_AREA: Path = (Hop("IN_WELFARE_AREA", OUT, "WelfareArea"),)
MUNICIPALITY_DISTRICTS: Path = (*MUNICIPALITY_REGION, Hop("COVERS", IN, "District"))
MUNICIPALITY_MEETING_PLACES: Path = (Hop("LOCATED_IN", IN, "MeetingPlace"),)
MUNICIPALITY_LOCAL_ASSOCIATIONS: Path = (Hop("ACTIVE_IN", IN, "LocalAssociation"),)

REGION_MUNICIPALITIES: Path = (Hop("IN_REGION", IN, "Municipality"),)
REGION_DISTRICTS: Path = (Hop("COVERS", IN, "District"),)
WELFARE_AREA_MUNICIPALITIES: Path = (Hop("IN_WELFARE_AREA", IN, "Municipality"),)

DISTRICT_REGIONS: Path = (Hop("COVERS", OUT, "Region"),)
DISTRICT_MUNICIPALITIES: Path = (*DISTRICT_REGIONS, *REGION_MUNICIPALITIES)
DISTRICT_LOCAL_ASSOCIATIONS: Path = (Hop("MEMBER_OF", IN, "LocalAssociation"),)

LOCAL_ASSOCIATION_DISTRICT: Path = (Hop("MEMBER_OF", OUT, "District"),)
LOCAL_ASSOCIATION_MUNICIPALITIES: Path = (Hop("ACTIVE_IN", OUT, "Municipality"),)

FAMILY_CENTRE_SERVES: Path = (Hop("SERVES", OUT, None),)
SERVED_BY_FAMILY_CENTRES: Path = (Hop("SERVES", IN, "FamilyCentre"),)
FAMILY_CENTRE_MEETING_PLACES: Path = (Hop("PART_OF", IN, "MeetingPlace"),)

MEETING_PLACE_MUNICIPALITY: Path = (Hop("LOCATED_IN", OUT, "Municipality"),)
MEETING_PLACE_FAMILY_CENTRE: Path = (Hop("PART_OF", OUT, "FamilyCentre"),)
MEETING_PLACE_RUN_BY: Path = (Hop("RUN_BY", OUT, None),)
MEETING_PLACE_ACTIVITIES: Path = (Hop("OFFERS", OUT, "Activity"),)
RUNS_MEETING_PLACES: Path = (Hop("RUN_BY", IN, "MeetingPlace"),)

ACTIVITY_TASKS: Path = (Hop("SERVES_TASK", OUT, "FamilyCentreTask"),)
ACTIVITY_MEETING_PLACES: Path = (Hop("OFFERS", IN, "MeetingPlace"),)
TASK_ACTIVITIES: Path = (Hop("SERVES_TASK", IN, "Activity"),)

MUNICIPALITIES_OF_AREA: dict[str, Path] = {
    "Municipality": (),
    "Region": REGION_MUNICIPALITIES,
    "WelfareArea": WELFARE_AREA_MUNICIPALITIES,
    "District": DISTRICT_MUNICIPALITIES,
}
"""How to reach the municipalities of each kind of area that a list can be filtered by."""
