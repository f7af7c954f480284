"""The citizens' chat: streamed, cited answers in three languages, source cards, feedback, 1823 escalation."""

from __future__ import annotations

import html
import logging
from typing import Any

import gradio as gr

from bot.answer.types import AnswerResult, Citation
from bot.server.admission import Busy
from bot.server.services import Services
from bot.server.strings import EXAMPLES, LANGUAGE_CHOICES, text, ui_lang

log = logging.getLogger(__name__)

MAX_QUESTION = 2000
MAX_TURNS = 10  # earlier turns are not needed to understand a follow-up
SNIPPET_CHARS = 400

CSS = """
#askgov-chat { max-width: 60rem; margin: 0 auto; }
#sources ol { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; }
.source-card { border: 1px solid var(--border-color-primary); border-radius: .5rem; padding: .6rem .8rem;
               background: var(--background-fill-secondary); overflow-wrap: anywhere; }
.source-card .source-n { font-weight: 700; margin-right: .4rem; }
.source-card blockquote { margin: .4rem 0 0; padding-left: .6rem; border-left: 3px solid var(--border-color-accent);
                          color: var(--body-text-color-subdued); font-size: .92em; }
#sources h2 { font-size: 1.05rem; margin: .5rem 0; }
#escalation { border: 2px solid var(--color-accent); border-radius: .5rem; padding: .5rem .8rem; }
#askgov-chat button:focus-visible, #askgov-chat input:focus-visible, #askgov-chat textarea:focus-visible,
#askgov-chat a:focus-visible { outline: 3px solid var(--color-accent); outline-offset: 2px; }
@media (max-width: 640px) {
  #top-row, #question-row { flex-direction: column; align-items: stretch; }
  #top-row > *, #question-row > * { width: 100%; min-width: 0 !important; }
  #askgov-chat .example-button { flex: 1 1 100%; }
}
"""


def citation_where(citation: Citation, lang: str) -> str:
    return text(lang, "page", page=citation.page) if citation.page else citation.heading


def source_cards(citations: list[Citation], lang: str, links: list[str]) -> str:
    """Numbered cards for the cited passages (all text escaped: it comes from documents)."""
    if not citations:
        return ""
    cards = []
    for citation, link in zip(citations, links):
        title = html.escape(citation.title or citation.doc_id)
        heading = f'<a href="{html.escape(link)}" target="_blank" rel="noopener">{title}</a>' if link else title
        where = citation_where(citation, lang)
        snippet = citation.snippet if len(citation.snippet) <= SNIPPET_CHARS else citation.snippet[:SNIPPET_CHARS] + "…"
        cards.append(
            f'<li class="source-card" id="source-{citation.n}" aria-label="{html.escape(text(lang, "sources"))} '
            f'{citation.n}"><span class="source-n">[{citation.n}]</span>{heading}'
            f"{' · ' + html.escape(where) if where else ''}"
            f"<blockquote>{html.escape(snippet)}</blockquote></li>"
        )
    return (
        f'<section aria-label="{html.escape(text(lang, "sources"))}"><h2>{html.escape(text(lang, "sources"))}'
        f"</h2><ol>{''.join(cards)}</ol></section>"
    )


def bubble_text(result: AnswerResult) -> str:
    """The answer as shown in the chat, with a one-line key to its [n] markers (in the answer's language)."""
    lang = result.lang
    if not result.citations:
        return result.answer
    key = " · ".join(
        f"[{c.n}] {c.title}" + (f", {citation_where(c, lang)}" if citation_where(c, lang) else "")
        for c in result.citations
    )
    return f"{result.answer}\n\n*{text(lang, 'sources_inline')}: {key}*"


def site_origin(request: gr.Request | None) -> str:
    inner = getattr(request, "request", None) if request is not None else None
    if inner is None:
        return ""
    proto = inner.headers.get("x-forwarded-proto", inner.url.scheme).split(",")[0].strip()
    host = inner.headers.get("x-forwarded-host", inner.url.netloc).split(",")[0].strip()
    return f"{proto}://{host}"


def build_citizen_ui(services: Services) -> gr.Blocks:
    feedback = services.feedback

    with gr.Blocks(title="AskGov HK") as ui:
        lang_state = gr.State("en")  # the UI language
        answer_lang = gr.State(None)  # None: follow the question's language; set once the user picks one
        turns = gr.State([])  # the conversation as the assistant sees it (without source keys)
        last = gr.State(None)  # the latest answer, for feedback and for re-rendering cards in another language

        with gr.Column(elem_id="askgov-chat"):
            with gr.Row(equal_height=True, elem_id="top-row"):
                heading = gr.Markdown(f"# {text('en', 'title')}\n{text('en', 'intro')}", elem_id="heading")
                lang_switch = gr.Radio(
                    LANGUAGE_CHOICES,
                    value="en",
                    label=text("en", "language"),
                    elem_id="lang-switch",
                    min_width=220,
                    scale=0,
                )
            answer_lang_note = gr.Markdown(text("en", "answer_lang_auto"), elem_id="answer-lang-note")
            chatbot = gr.Chatbot(
                label=text("en", "chat"),
                placeholder=text("en", "chat_placeholder"),
                elem_id="chatbot",
                height=420,
                buttons=["copy"],
                feedback_options=None,
                layout="bubble",
            )
            escalation = gr.Markdown(text("en", "escalation"), visible=False, elem_id="escalation")
            sources = gr.HTML("", elem_id="sources")
            with gr.Row(visible=False, elem_id="feedback-row") as feedback_row:
                feedback_prompt = gr.Markdown(text("en", "feedback_prompt"))
                thumbs_up = gr.Button(text("en", "thumbs_up"), elem_id="thumbs-up", size="sm", min_width=120)
                thumbs_down = gr.Button(text("en", "thumbs_down"), elem_id="thumbs-down", size="sm", min_width=120)
            with gr.Row(visible=False, elem_id="comment-row") as comment_row:
                comment = gr.Textbox(label=text("en", "comment"), lines=2, max_length=1000, scale=4, elem_id="comment")
                comment_send = gr.Button(text("en", "comment_send"), size="sm", scale=1, min_width=120)
            feedback_status = gr.Markdown("", elem_id="feedback-status")
            with gr.Row(equal_height=True, elem_id="question-row"):
                question = gr.Textbox(
                    label=text("en", "question"),
                    placeholder=text("en", "question_placeholder"),
                    max_length=MAX_QUESTION,
                    scale=5,
                    min_width=200,
                    elem_id="question",
                    autofocus=True,
                )
                send = gr.Button(text("en", "send"), variant="primary", scale=1, min_width=90, elem_id="send")
            examples_label = gr.Markdown(text("en", "examples"))
            with gr.Row():
                example_buttons = [
                    gr.Button(example, size="sm", elem_classes="example-button", min_width=160)
                    for example in EXAMPLES["en"]
                ]
            clear = gr.Button(text("en", "clear"), size="sm", elem_id="clear")
            footer = gr.Markdown(text("en", "footer"), elem_id="footer")

        answer_outputs = [
            question,
            chatbot,
            turns,
            sources,
            escalation,
            feedback_row,
            comment_row,
            comment,
            feedback_status,
            last,
        ]

        def respond(message: str, chat: list, history: list, lang: str, fixed_lang: str | None, request: gr.Request):
            message = (message or "").strip()
            if not message:
                yield (
                    gr.update(),
                    chat,
                    history,
                    gr.update(),
                    gr.update(),
                    gr.update(),
                    gr.update(),
                    gr.update(),
                    text(lang, "empty"),
                    gr.update(),
                )
                return
            if len(message) > MAX_QUESTION:
                yield (
                    gr.update(),
                    chat,
                    history,
                    gr.update(),
                    gr.update(),
                    gr.update(),
                    gr.update(),
                    gr.update(),
                    text(lang, "too_long", limit=MAX_QUESTION),
                    gr.update(),
                )
                return
            chat = chat + [
                {"role": "user", "content": message},
                {"role": "assistant", "content": text(lang, "searching")},
            ]
            hidden = gr.update(visible=False)
            yield "", chat, history, "", hidden, hidden, hidden, "", "", None
            try:
                streamed = ""
                for item in services.stream(message, history=history[-MAX_TURNS:], lang=fixed_lang):
                    if isinstance(item, AnswerResult):
                        result = item
                        break
                    streamed += item
                    chat[-1] = {"role": "assistant", "content": streamed}
                    yield (
                        gr.update(),
                        chat,
                        history,
                        gr.update(),
                        gr.update(),
                        gr.update(),
                        gr.update(),
                        gr.update(),
                        gr.update(),
                        gr.update(),
                    )
            except Busy as busy:  # said at once in the chat, rather than a spinner that turns until a worker is free
                chat[-1] = {"role": "assistant", "content": text(lang, "busy", seconds=busy.retry_after)}
                yield gr.update(), chat, history, "", hidden, hidden, hidden, "", "", None
                return
            except Exception:  # the citizen sees a polite message; the server log has the details
                log.exception("answering failed")
                chat[-1] = {"role": "assistant", "content": text(lang, "error")}
                yield gr.update(), chat, history, "", gr.update(visible=True), hidden, hidden, "", "", None
                return
            site = site_origin(request)
            links = [services.document_link(c, site) for c in result.citations]
            chat[-1] = {"role": "assistant", "content": bubble_text(result)}
            history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": result.answer}]
            latest = {"question": message, "result": result.model_dump(), "links": links, "feedback_id": None}
            yield (
                gr.update(),
                chat,
                history,
                source_cards(result.citations, lang, links),
                gr.update(visible=result.refused),
                gr.update(visible=True),
                hidden,
                "",
                "",
                latest,
            )

        def rate(rating: int):
            def handler(latest: dict | None, lang: str):
                if not latest:
                    return gr.update(), gr.update(), "", latest
                result = AnswerResult.model_validate(latest["result"])
                sources_list = [
                    f"[{c.n}] {c.title} ({c.doc_id}{', p. ' + str(c.page) if c.page else ''})" for c in result.citations
                ]
                latest = {
                    **latest,
                    "feedback_id": feedback.add_feedback(
                        rating, latest["question"], result.answer, result.lang, result.refused, sources_list
                    ),
                }
                return gr.update(visible=False), gr.update(visible=True), text(lang, "thanks"), latest

            return handler

        def save_comment(note: str, latest: dict | None, lang: str):
            if not latest or not latest.get("feedback_id") or not (note or "").strip():
                return gr.update(), gr.update()
            feedback.set_comment(latest["feedback_id"], note)
            return gr.update(visible=False), text(lang, "comment_thanks")

        def clear_all():
            hidden = gr.update(visible=False)
            return [], [], None, "", hidden, hidden, hidden, "", ""

        def relabel(lang: str, latest: dict | None, select: bool = False) -> list[Any]:
            """Every string in `lang`; the latest answer's source cards are redrawn too."""
            cards = gr.update()
            if latest:
                result = AnswerResult.model_validate(latest["result"])
                cards = source_cards(result.citations, lang, latest["links"])
            return [
                gr.update(value=f"# {text(lang, 'title')}\n{text(lang, 'intro')}"),
                gr.update(label=text(lang, "language"), **({"value": lang} if select else {})),
                gr.update(label=text(lang, "chat"), placeholder=text(lang, "chat_placeholder")),
                gr.update(value=text(lang, "escalation")),
                cards,
                gr.update(value=text(lang, "feedback_prompt")),
                gr.update(value=text(lang, "thumbs_up")),
                gr.update(value=text(lang, "thumbs_down")),
                gr.update(label=text(lang, "comment")),
                gr.update(value=text(lang, "comment_send")),
                gr.update(label=text(lang, "question"), placeholder=text(lang, "question_placeholder")),
                gr.update(value=text(lang, "send")),
                gr.update(value=text(lang, "examples")),
                *[gr.update(value=example) for example in EXAMPLES[lang]],
                gr.update(value=text(lang, "clear")),
                gr.update(value=text(lang, "footer")),
            ]

        relabelled = [
            heading,
            lang_switch,
            chatbot,
            escalation,
            sources,
            feedback_prompt,
            thumbs_up,
            thumbs_down,
            comment,
            comment_send,
            question,
            send,
            examples_label,
            *example_buttons,
            clear,
            footer,
        ]

        def choose_language(lang: str, latest: dict | None):
            # A language the user picks is also the answer language from then on.
            return [lang, lang, text(lang, "answer_lang_fixed"), *relabel(lang, latest)]

        def language_from_url(request: gr.Request, latest: dict | None):
            # ?lang= (e.g. from an embedding page) sets the UI language; answers still follow the question.
            lang = ui_lang(request.query_params.get("lang") if request else None)
            return [lang, text(lang, "answer_lang_auto"), *relabel(lang, latest, select=True)]

        ask_inputs = [question, chatbot, turns, lang_state, answer_lang]
        # No limit here: Services' gate decides who is answered, who waits and who is told to try again; Gradio's
        # own queue would hold the rest behind a spinner.
        question.submit(respond, ask_inputs, answer_outputs, concurrency_limit=None)
        send.click(respond, ask_inputs, answer_outputs, concurrency_limit=None)
        for button in example_buttons:
            button.click(lambda value: value, button, question, queue=False).then(
                respond, ask_inputs, answer_outputs, concurrency_limit=None
            )
        thumbs_up.click(rate(1), [last, lang_state], [feedback_row, comment_row, feedback_status, last])
        thumbs_down.click(rate(-1), [last, lang_state], [feedback_row, comment_row, feedback_status, last])
        comment_send.click(save_comment, [comment, last, lang_state], [comment_row, feedback_status])
        comment.submit(save_comment, [comment, last, lang_state], [comment_row, feedback_status])
        cleared = [chatbot, turns, last, sources, escalation, feedback_row, comment_row, feedback_status, question]
        clear.click(clear_all, None, cleared)
        chatbot.clear(clear_all, None, cleared)  # the chat's own bin icon
        lang_switch.input(
            choose_language, [lang_switch, last], [lang_state, answer_lang, answer_lang_note, *relabelled]
        )
        ui.load(language_from_url, [last], [lang_state, answer_lang_note, *relabelled])
    return ui
