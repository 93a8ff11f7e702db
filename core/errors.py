"""One shape for every error a page explains to the learner."""


class CodedError(Exception):
    """An error with a message code and the values that fill it: the page translates, never shows a traceback.

    Each module subclasses it (DataError, ImageError, …) so its codes keep their own namespace of messages.
    """

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params
