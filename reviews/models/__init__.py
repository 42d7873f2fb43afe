from .feedback import Feedback, FeedbackAsk, FeedbackRequest

__all__ = ["Feedback", "FeedbackAsk", "FeedbackRequest"]
