from .feedback import Feedback

__all__ = ["Feedback"]
