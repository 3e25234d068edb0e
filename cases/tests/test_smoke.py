from cases import services
from cases.models import CaseEvent, Satisfaction, Status


def test_a_case_runs_the_whole_loop(world):
    case = world.answered()
    case = services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    case = services.close_case(case, actor=world.dispatcher)
    assert case.status == Status.CLOSED
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["reported", "triaged", "assigned", "accepted", "answered", "visited", "closed"]
