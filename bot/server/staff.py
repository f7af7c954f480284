"""The call-centre console (behind a login): passage search, answer drafting, feedback, gaps, re-indexing."""

from __future__ import annotations

import logging

import gradio as gr

from bot.answer.types import AnswerResult
from bot.retrieve import Passage
from bot.server.auth import LOGOUT_PATH
from bot.server.services import Services

log = logging.getLogger(__name__)

ANY_LANG = "any"
AUTO_LANG = "auto"
LANG_CHOICES = [("Any language", ANY_LANG), ("English", "en"), ("繁體中文", "zh-Hant"), ("简体中文", "zh-Hans")]
ANSWER_LANG_CHOICES = [
    ("Same as the question", AUTO_LANG),
    ("English", "en"),
    ("繁體中文", "zh-Hant"),
    ("简体中文", "zh-Hans"),
]
FEEDBACK_HEADERS = ["when (UTC)", "rating", "question", "answer", "comment", "lang", "sources"]
GAP_HEADERS = ["question (latest wording)", "asked", "refused", "👎", "last (UTC)", "lang"]


def when(timestamp: str) -> str:
    return timestamp[:19].replace("T", " ")


def quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def format_passages(passages: list[Passage], services: Services, site: str) -> str:
    if not passages:
        return "No passages found. Try other words, or remove the filters."
    blocks = []
    for rank, p in enumerate(passages, 1):
        where = f"page {p.page}" if p.page else (p.heading or "")
        link = services.document_link(p, site)
        title = f"[{p.title or p.doc_id}]({link})" if link else (p.title or p.doc_id)
        blocks.append(
            f"### {rank}. {title}\n"
            f"`{p.doc_id}` · {p.lang}{' · ' + where if where else ''} · rank score **{p.score:.4f}** · "
            f"similarity **{p.dense_score:.3f}** · source `{p.source}` · chunk `{p.id}`\n\n"
            f"{quote_block(p.text)}"
        )
    return "\n\n---\n\n".join(blocks)


def plain_text_answer(result: AnswerResult, services: Services, site: str) -> str:
    """The answer and its numbered sources as plain text, to paste into an email or a case note."""
    lines = [result.answer]
    if result.citations:
        lines += ["", "Sources:" if result.lang == "en" else "資料來源：" if result.lang == "zh-Hant" else "资料来源："]
        for c in result.citations:
            where = f", p. {c.page}" if c.page else (f", {c.heading}" if c.heading else "")
            link = services.document_link(c, site)
            lines.append(f"[{c.n}] {c.title}{where}{' - ' + link if link else ''}")
    return "\n".join(lines)


def answer_markdown(result: AnswerResult) -> str:
    status = (
        f"**Refused** ({result.refusal_reason}): the documents do not support an answer. Suggest 1823 or "
        "check the question in Search."
        if result.refused
        else f"Answered by the `{result.backend}` backend"
        + (f" (fallback: {result.fallback})" if result.fallback else "")
        + "."
    )
    cited = "\n".join(
        f"{c.n}. **{c.title}** (`{c.doc_id}`{', page ' + str(c.page) if c.page else ''})\n{quote_block(c.snippet)}"
        for c in result.citations
    )
    return f"{status}\n\n{result.answer}\n\n{cited}".strip()


def build_staff_ui(services: Services) -> gr.Blocks:
    from bot.server.citizen import site_origin

    def document_choices() -> list[tuple[str, str]]:
        return [(f"{d.title} ({d.doc_id})", d.doc_id) for d in services.documents()]

    with gr.Blocks(title="AskGov HK staff console") as ui:
        with gr.Row():
            gr.Markdown("# AskGov HK staff console\nFor call-centre staff. Nothing here is shown to citizens.")
            signed_in = gr.Markdown("", elem_id="signed-in")
            gr.HTML(f'<a href="{LOGOUT_PATH}">Log out</a>', elem_id="log-out")  # a plain link: same tab
        with gr.Tabs():
            with gr.Tab("Search passages", id="search"):
                with gr.Row():
                    query = gr.Textbox(
                        label="Search the documents",
                        scale=4,
                        elem_id="staff-query",
                        placeholder="e.g. supercomputing centre capacity / 超算中心 算力",
                    )
                    lang = gr.Dropdown(LANG_CHOICES, value=ANY_LANG, label="Passage language", scale=1)
                with gr.Row():
                    documents = gr.Dropdown(document_choices(), multiselect=True, label="Only these documents", scale=4)
                    k = gr.Slider(1, 20, value=5, step=1, label="Passages", scale=1)
                search_button = gr.Button("Search", variant="primary", elem_id="staff-search")
                results = gr.Markdown(elem_id="staff-results")
            with gr.Tab("Draft an answer", id="draft"):
                draft_question = gr.Textbox(
                    label="Caller's question", lines=2, max_length=2000, elem_id="draft-question"
                )
                draft_lang = gr.Dropdown(ANSWER_LANG_CHOICES, value=AUTO_LANG, label="Answer language")
                draft_button = gr.Button("Draft answer", variant="primary", elem_id="draft-button")
                draft_view = gr.Markdown(elem_id="draft-view")
                draft_plain = gr.Textbox(
                    label="Answer and sources as plain text",
                    lines=8,
                    buttons=["copy"],
                    interactive=False,
                    elem_id="draft-plain",
                )
            with gr.Tab("Feedback", id="feedback"):
                feedback_refresh = gr.Button("Refresh", size="sm")
                feedback_table = gr.Dataframe(
                    headers=FEEDBACK_HEADERS,
                    interactive=False,
                    wrap=True,
                    label="Citizens' ratings, newest first (personal data redacted)",
                )
            with gr.Tab("Unanswered questions", id="gaps"):
                gr.Markdown(
                    "Questions the assistant refused or citizens rated down, most frequent first: "
                    "likely gaps in the documents. Personal data is redacted."
                )
                gaps_refresh = gr.Button("Refresh", size="sm")
                gaps_table = gr.Dataframe(
                    headers=GAP_HEADERS,
                    interactive=False,
                    wrap=True,
                    label="Unanswered questions",
                    column_widths=["52%", "8%", "8%", "6%", "18%", "8%"],
                )
            with gr.Tab("Admin", id="admin"):
                index_status = gr.Markdown()
                reindex_button = gr.Button("Re-index corpus/", variant="stop", elem_id="reindex")
                reindex_result = gr.Markdown()

        def run_search(text: str, passage_lang: str, doc_ids: list[str], count: float, request: gr.Request):
            if not text or not text.strip():
                return "Type a question or some keywords."
            passages = services.hybrid_search(
                text, int(count), None if passage_lang == ANY_LANG else passage_lang, doc_ids or ()
            )
            return format_passages(passages, services, site_origin(request))

        def run_draft(text: str, answer_lang: str, request: gr.Request):
            if not text or not text.strip():
                return "Type the caller's question.", ""
            result = services.ask(text, lang=None if answer_lang == AUTO_LANG else answer_lang)
            return answer_markdown(result), plain_text_answer(result, services, site_origin(request))

        def feedback_rows():
            return [
                [
                    when(r.created),
                    "👍" if r.rating > 0 else "👎",
                    r.question,
                    r.answer[:300],
                    r.comment,
                    r.lang,
                    "; ".join(r.sources),
                ]
                for r in services.feedback.recent_feedback()
            ]

        def gap_rows():
            return [
                [g.question, g.count, g.refused, g.thumbs_down, when(g.last_seen), g.lang]
                for g in services.feedback.gaps()
            ]

        def index_summary() -> str:
            docs = services.documents()
            return (
                f"The index holds **{services.chunk_count()} chunks** from **{len(docs)} documents** "
                f"(embedder `{services.settings.embedder}`, corpus folder `{services.settings.corpus_dir}`)."
            )

        def run_reindex(request: gr.Request):
            log.info("re-index requested by %s", getattr(request, "username", None))
            try:
                summary = services.reindex()
            except Exception as error:  # shown to staff: they need to know why
                log.exception("re-index failed")
                return index_summary(), f"Re-indexing failed: {error}", gr.update()
            failures = "\n".join(f"- {line}" for line in summary.failures)
            report = (
                f"Done: {summary.indexed} indexed, {summary.unchanged} unchanged, {summary.removed} removed, "
                f"{summary.failed} failed.\n{failures}"
            )
            return index_summary(), report, gr.update(choices=document_choices())

        def on_load(request: gr.Request):
            user = getattr(request, "username", None)
            return (f"Signed in as **{user}**" if user else ""), feedback_rows(), gap_rows(), index_summary()

        search_inputs = [query, lang, documents, k]
        search_button.click(run_search, search_inputs, results)
        query.submit(run_search, search_inputs, results)
        draft_button.click(run_draft, [draft_question, draft_lang], [draft_view, draft_plain])
        feedback_refresh.click(feedback_rows, None, feedback_table)
        gaps_refresh.click(gap_rows, None, gaps_table)
        reindex_button.click(run_reindex, None, [index_status, reindex_result, documents], concurrency_limit=1)
        ui.load(on_load, None, [signed_in, feedback_table, gaps_table, index_status])
    return ui
