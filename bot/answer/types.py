"""What the answer chain takes and returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.retrieve import Passage

Role = Literal["user", "assistant"]


class Turn(BaseModel):
    role: Role
    content: str


class Citation(BaseModel):
    n: int  # the [n] marker in the answer
    doc_id: str
    title: str
    page: int = 0  # 0 when the document has no pages
    heading: str = ""
    url: str = ""
    source: str = ""  # path of the file, for documents without a url
    lang: str = ""
    snippet: str  # the passage text that supports the cited sentences


class Timings(BaseModel):
    retrieve_ms: float = 0.0
    generate_ms: float = 0.0
    total_ms: float = 0.0


class Weighed(BaseModel):
    """A feature of the answer decision (`bot.answer.decide`) and how far it pulled towards declining."""

    feature: str
    pull: float


class AnswerResult(BaseModel):
    answer: str
    lang: str  # en, zh-Hant or zh-Hans: the asker's language and script
    refused: bool = False
    # weak_evidence, missing_detail, not_mentioned, not_given (the decision), injection, system_prompt, action,
    # outside_documents (the wording checks), off_limits (the guard's score weighed most)
    refusal_reason: str = ""
    backend: str = "extractive"
    fallback: str = ""  # why a generative backend's output was replaced by the extractive answer
    citations: list[Citation] = Field(default_factory=list)
    timings: Timings = Field(default_factory=Timings)
    standalone_question: str = ""  # the question as retrieval saw it (follow-ups rewritten)
    # how close in meaning the retrieved text came to the question (Thresholds.min_similarity); None: no passages
    evidence: float | None = None
    passages: list[Passage] = Field(default_factory=list, exclude=True)  # what retrieval returned, in order
    decision_score: float | None = None  # the learned decision's score for declining, 0..1, when it decided
    declined_because: list[Weighed] = Field(default_factory=list)  # the features that weighed most in a decline

    def public_json(self) -> dict:
        """The JSON of `askgov ask --json` and `POST /api/ask`."""
        return self.model_dump(include={"answer", "lang", "refused", "backend", "fallback", "citations", "timings"})

    def explained_json(self) -> dict:
        """`public_json` with why it was declined (`askgov ask --json`, the staff console): the reason and the
        features of the decision that weighed most."""
        shown = self.public_json()
        if self.refused:
            shown["refusal_reason"] = self.refusal_reason
            shown["declined_because"] = [weighed.model_dump() for weighed in self.declined_because]
        shown["decision_score"] = self.decision_score
        return shown
