"""The call-centre console (behind a login): passage search, answer drafting, feedback, gaps, re-indexing.

Text from documents is shown through `bot.markup.clean_html`: a document cannot make a staff browser load an image
or run a script.
"""

from __future__ import annotations

import logging
from functools import partial

import gradio as gr

from bot.answer.types import AnswerResult
from bot.markup import clean_html
from bot.retrieve import Passage
from bot.server.auth import LOGOUT_PATH
from bot.server.citizen import displayed_answer
from bot.server.services import Services
from bot.server.strings import STAFF_LANGUAGE_CHOICES, staff_lang, staff_text

log = logging.getLogger(__name__)

ANY_LANG = "any"
AUTO_LANG = "auto"
CONTENT_LANGS = [("English", "en"), ("繁體中文", "zh-Hant"), ("简体中文", "zh-Hans")]
GAP_COLUMN_WIDTHS = ["52%", "8%", "8%", "6%", "18%", "8%"]


def lang_choices(lang: str) -> list[tuple[str, str]]:
    return [(staff_text(lang, "any_lang"), ANY_LANG), *CONTENT_LANGS]


def answer_lang_choices(lang: str) -> list[tuple[str, str]]:
    return [(staff_text(lang, "same_lang"), AUTO_LANG), *CONTENT_LANGS]


def headers(lang: str, key: str) -> list[str]:
    return staff_text(lang, key).split("|")


def log_out_link(lang: str) -> str:
    return f'<a href="{LOGOUT_PATH}">{staff_text(lang, "log_out")}</a>'


def when(timestamp: str) -> str:
    return timestamp[:19].replace("T", " ")


def quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def format_passages(passages: list[Passage], services: Services, site: str, lang: str = "en") -> str:
    if not passages:
        return staff_text(lang, "no_passages")
    blocks = []
    withheld = services.assistant.withheld
    for rank, p in enumerate(passages, 1):
        where = clean_html(staff_text(lang, "page", page=p.page) if p.page else (p.heading or ""))
        link = services.document_link(p, site)
        name = clean_html(p.title or p.doc_id)
        title = f"[{name}]({link})" if link else name
        blocks.append(
            f"### {rank}. {title}\n"
            f"`{p.doc_id}` · {p.lang}{' · ' + where if where else ''} · "
            f"{staff_text(lang, 'rank_score')} **{p.score:.4f}** · {staff_text(lang, 'similarity')} "
            f"**{p.dense_score:.3f}** · {staff_text(lang, 'source')} `{p.source}` · {staff_text(lang, 'chunk')} "
            f"`{p.id}`\n\n"
            + (f"**{staff_text(lang, 'withheld')}**\n\n" if (p.source, p.doc_id) in withheld else "")
            + quote_block(clean_html(p.text))
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


def answer_status(result: AnswerResult, lang: str) -> str:
    if result.refused:
        return staff_text(lang, "refused", reason=result.refusal_reason)
    if result.fallback:
        return staff_text(lang, "answered_by_fallback", backend=f"`{result.backend}`", fallback=result.fallback)
    return staff_text(lang, "answered_by", backend=f"`{result.backend}`")


def answer_markdown(result: AnswerResult, lang: str = "en") -> str:
    cited = "\n".join(
        f"{c.n}. <strong>{clean_html(c.title)}</strong> (`{c.doc_id}`"
        f"{', ' + staff_text(lang, 'page', page=c.page) if c.page else ''})\n{quote_block(clean_html(c.snippet))}"
        for c in result.citations
    )
    return f"{answer_status(result, lang)}\n\n{displayed_answer(result.answer)}\n\n{cited}".strip()


def build_staff_ui(services: Services) -> gr.Blocks:
    from bot.server.citizen import SET_PAGE_LANG, site_origin

    def document_choices() -> list[tuple[str, str]]:
        return [(f"{d.title} ({d.doc_id})", d.doc_id) for d in services.documents()]

    t = partial(staff_text, "en")
    with gr.Blocks(title="AskGov HK staff console") as ui:
        ui_lang = gr.State("en")
        with gr.Row(equal_height=True):
            heading = gr.Markdown(f"# {t('title')}\n{t('intro')}", elem_id="staff-heading")
            with gr.Column(scale=0, min_width=240):
                lang_switch = gr.Radio(
                    STAFF_LANGUAGE_CHOICES, value="en", label=t("language"), elem_id="staff-lang-switch"
                )
                signed_in = gr.Markdown("", elem_id="signed-in")
                log_out = gr.HTML(log_out_link("en"), elem_id="log-out")  # a plain link: same tab
        with gr.Tabs():
            with gr.Tab(t("tab_search"), id="search") as search_tab:
                with gr.Row():
                    query = gr.Textbox(
                        label=t("query"), scale=4, elem_id="staff-query", placeholder=t("query_placeholder")
                    )
                    passage_filter = gr.Dropdown(lang_choices("en"), value=ANY_LANG, label=t("passage_lang"), scale=1)
                with gr.Row():
                    documents = gr.Dropdown(document_choices(), multiselect=True, label=t("only_documents"), scale=4)
                    k = gr.Slider(1, 20, value=5, step=1, label=t("passages"), scale=1)
                search_button = gr.Button(t("search"), variant="primary", elem_id="staff-search")
                results = gr.Markdown(elem_id="staff-results")
            with gr.Tab(t("tab_draft"), id="draft") as draft_tab:
                draft_question = gr.Textbox(
                    label=t("caller_question"), lines=2, max_length=2000, elem_id="draft-question"
                )
                draft_lang = gr.Dropdown(answer_lang_choices("en"), value=AUTO_LANG, label=t("answer_lang"))
                draft_button = gr.Button(t("draft"), variant="primary", elem_id="draft-button")
                draft_view = gr.Markdown(elem_id="draft-view")
                draft_plain = gr.Textbox(
                    label=t("plain"), lines=8, buttons=["copy"], interactive=False, elem_id="draft-plain"
                )
            with gr.Tab(t("tab_feedback"), id="feedback") as feedback_tab:
                feedback_refresh = gr.Button(t("refresh"), size="sm")
                feedback_table = gr.Dataframe(
                    headers=headers("en", "feedback_headers"), interactive=False, wrap=True, label=t("feedback_table")
                )
            with gr.Tab(t("tab_gaps"), id="gaps") as gaps_tab:
                gaps_intro = gr.Markdown(t("gaps_intro"))
                gaps_refresh = gr.Button(t("refresh"), size="sm")
                gaps_table = gr.Dataframe(
                    headers=headers("en", "gap_headers"),
                    interactive=False,
                    wrap=True,
                    label=t("gaps_table"),
                    column_widths=GAP_COLUMN_WIDTHS,
                )
            with gr.Tab(t("tab_admin"), id="admin") as admin_tab:
                index_status = gr.Markdown()
                reindex_button = gr.Button(t("reindex"), variant="stop", elem_id="reindex")
                reindex_result = gr.Markdown()

        def run_search(
            text: str, passage_lang: str, doc_ids: list[str], count: float, lang: str, request: gr.Request
        ) -> str:
            if not text or not text.strip():
                return staff_text(lang, "type_query")
            passages = services.hybrid_search(
                text, int(count), None if passage_lang == ANY_LANG else passage_lang, doc_ids or ()
            )
            return format_passages(passages, services, site_origin(request), lang)

        def run_draft(text: str, answer_lang: str, lang: str, request: gr.Request):
            if not text or not text.strip():
                return staff_text(lang, "type_caller_question"), ""
            result = services.ask(text, lang=None if answer_lang == AUTO_LANG else answer_lang)
            return answer_markdown(result, lang), plain_text_answer(result, services, site_origin(request))

        def feedback_rows(lang: str) -> dict:
            rows = [
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
            return {"headers": headers(lang, "feedback_headers"), "data": rows}

        def gap_rows(lang: str) -> dict:
            rows = [
                [g.question, g.count, g.refused, g.thumbs_down, when(g.last_seen), g.lang]
                for g in services.feedback.gaps()
            ]
            return {"headers": headers(lang, "gap_headers"), "data": rows}

        def index_summary(lang: str) -> str:
            return staff_text(
                lang,
                "index_summary",
                chunks=f"**{services.chunk_count()}**",
                documents=f"**{len(services.documents())}**",
                embedder=f"`{services.settings.embedder}`",
                corpus=f"`{services.settings.corpus_dir}`",
            )

        def run_reindex(lang: str, request: gr.Request):
            log.info("re-index requested by %s", getattr(request, "username", None))
            try:
                summary = services.reindex()
            except Exception as error:  # shown to staff: they need to know why
                log.exception("re-index failed")
                return index_summary(lang), staff_text(lang, "reindex_failed", error=error), gr.update()
            failures = "\n".join(f"- {clean_html(line)}" for line in summary.failures)
            warnings = "\n".join(f"- {clean_html(line)}" for line in summary.warnings)
            counts = {name: getattr(summary, name) for name in ("indexed", "unchanged", "removed", "failed")}
            report = f"{staff_text(lang, 'reindex_done', **counts)}\n{failures}" + (
                f"\n\n**{staff_text(lang, 'review_files', count=len(summary.warnings))}**\n{warnings}"
                if warnings
                else ""
            )
            return index_summary(lang), report, gr.update(choices=document_choices())

        def relabel(lang: str, user: str | None, select: bool = False) -> dict:
            """Every string of the console in `lang`; the tables are reloaded with translated headers."""
            t = partial(staff_text, lang)
            return {
                ui_lang: lang,
                heading: f"# {t('title')}\n{t('intro')}",
                lang_switch: gr.update(label=t("language"), **({"value": lang} if select else {})),
                signed_in: t("signed_in", user=f"**{user}**") if user else "",
                log_out: log_out_link(lang),
                search_tab: gr.update(label=t("tab_search")),
                draft_tab: gr.update(label=t("tab_draft")),
                feedback_tab: gr.update(label=t("tab_feedback")),
                gaps_tab: gr.update(label=t("tab_gaps")),
                admin_tab: gr.update(label=t("tab_admin")),
                query: gr.update(label=t("query"), placeholder=t("query_placeholder")),
                passage_filter: gr.update(label=t("passage_lang"), choices=lang_choices(lang)),
                documents: gr.update(label=t("only_documents")),
                k: gr.update(label=t("passages")),
                search_button: t("search"),
                draft_question: gr.update(label=t("caller_question")),
                draft_lang: gr.update(label=t("answer_lang"), choices=answer_lang_choices(lang)),
                draft_button: t("draft"),
                draft_plain: gr.update(label=t("plain")),
                feedback_refresh: t("refresh"),
                feedback_table: gr.update(value=feedback_rows(lang), label=t("feedback_table")),
                gaps_intro: t("gaps_intro"),
                gaps_refresh: t("refresh"),
                gaps_table: gr.update(value=gap_rows(lang), label=t("gaps_table")),
                index_status: index_summary(lang),
                reindex_button: t("reindex"),
            }

        relabelled = [
            ui_lang,
            heading,
            lang_switch,
            signed_in,
            log_out,
            search_tab,
            draft_tab,
            feedback_tab,
            gaps_tab,
            admin_tab,
            query,
            passage_filter,
            documents,
            k,
            search_button,
            draft_question,
            draft_lang,
            draft_button,
            draft_plain,
            feedback_refresh,
            feedback_table,
            gaps_intro,
            gaps_refresh,
            gaps_table,
            index_status,
            reindex_button,
        ]

        def choose_language(lang: str, request: gr.Request) -> dict:
            return relabel(lang, getattr(request, "username", None))

        def on_load(request: gr.Request) -> dict:
            # ?lang=zh-Hant (or zh-HK, zh) opens the console in Chinese.
            lang = staff_lang(request.query_params.get("lang") if request else None)
            return relabel(lang, getattr(request, "username", None), select=True)

        search_inputs = [query, passage_filter, documents, k, ui_lang]
        search_button.click(run_search, search_inputs, results)
        query.submit(run_search, search_inputs, results)
        draft_button.click(run_draft, [draft_question, draft_lang, ui_lang], [draft_view, draft_plain])
        feedback_refresh.click(feedback_rows, ui_lang, feedback_table)
        gaps_refresh.click(gap_rows, ui_lang, gaps_table)
        reindex_button.click(run_reindex, ui_lang, [index_status, reindex_result, documents], concurrency_limit=1)
        lang_switch.input(choose_language, lang_switch, relabelled).then(None, lang_switch, None, js=SET_PAGE_LANG)
        ui.load(on_load, None, relabelled).then(None, lang_switch, None, js=SET_PAGE_LANG)
    return ui
