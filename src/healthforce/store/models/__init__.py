"""The registry's tables, split by domain."""

from healthforce.store.models.access import (
    Appointment,
    AppointmentEvent,
    Schedule,
    ServiceRequest,
    Slot,
)
from healthforce.store.models.audit import AuditEntry, ChangeSet, PendingChange
from healthforce.store.models.base import Base
from healthforce.store.models.facilities import Facility, TeamNorm
from healthforce.store.models.geography import Area, AreaPopulation
from healthforce.store.models.imports import ImportRun, Observation
from healthforce.store.models.learning import (
    Competency,
    CompetencyNorm,
    Completion,
    Course,
    CourseCompetency,
    Pathway,
    PathwayCourse,
)
from healthforce.store.models.release import Release, ReleaseValue
from healthforce.store.models.summary import (
    SummaryAge,
    SummaryFlow,
    SummaryMovement,
    SummaryPost,
    SummaryTeam,
    SummaryTeamMet,
    SummaryTeamNeed,
    SummaryVacancy,
    SummaryWorker,
    SummaryWorkforce,
    SummaryYear,
)
from healthforce.store.models.training import (
    TrainingCohort,
    TrainingInstitution,
    TrainingProgramme,
)
from healthforce.store.models.users import Activity, SignInFailure, User, UserSession
from healthforce.store.models.workforce import (
    Assignment,
    Cadre,
    Movement,
    Occupation,
    Post,
    Specialty,
    Worker,
    WorkerSpecialty,
)

__all__ = [
    "Activity",
    "Appointment",
    "AppointmentEvent",
    "Area",
    "AreaPopulation",
    "Assignment",
    "AuditEntry",
    "Base",
    "Cadre",
    "ChangeSet",
    "Competency",
    "CompetencyNorm",
    "Completion",
    "Course",
    "CourseCompetency",
    "Facility",
    "ImportRun",
    "Movement",
    "Observation",
    "Occupation",
    "Pathway",
    "PathwayCourse",
    "PendingChange",
    "Post",
    "Release",
    "ReleaseValue",
    "Schedule",
    "ServiceRequest",
    "SignInFailure",
    "Slot",
    "Specialty",
    "SummaryAge",
    "SummaryFlow",
    "SummaryMovement",
    "SummaryPost",
    "SummaryTeam",
    "SummaryTeamMet",
    "SummaryTeamNeed",
    "SummaryVacancy",
    "SummaryWorker",
    "SummaryWorkforce",
    "SummaryYear",
    "TeamNorm",
    "TrainingCohort",
    "TrainingInstitution",
    "TrainingProgramme",
    "User",
    "UserSession",
    "Worker",
    "WorkerSpecialty",
]
