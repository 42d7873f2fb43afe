from .feedback import Feedback, FeedbackAsk, FeedbackReply, FeedbackRequest, FeedbackRevision, Reaction
from .interviews import (
    Candidate,
    Interview,
    Kit,
    KitCompetency,
    Loop,
    Question,
    ScalePoint,
    Scorecard,
    ScorecardRating,
    ScorecardRevision,
)
from .oneonones import ActionItem, AgendaChange, Meeting, PrivateNote, Series, TalkingPoint

__all__ = [
    "ActionItem",
    "AgendaChange",
    "Candidate",
    "Interview",
    "Kit",
    "KitCompetency",
    "Loop",
    "Question",
    "ScalePoint",
    "Scorecard",
    "ScorecardRating",
    "ScorecardRevision",
    "Feedback",
    "FeedbackAsk",
    "FeedbackReply",
    "FeedbackRequest",
    "FeedbackRevision",
    "Meeting",
    "PrivateNote",
    "Reaction",
    "Series",
    "TalkingPoint",
]
