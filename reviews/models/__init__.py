from .feedback import Feedback, FeedbackAsk, FeedbackReply, FeedbackRequest, FeedbackRevision, Reaction
from .oneonones import ActionItem, AgendaChange, Meeting, PrivateNote, Series, TalkingPoint

__all__ = [
    "ActionItem",
    "AgendaChange",
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
