"""The citizens' chat: streamed, cited answers in three languages, source cards, feedback, 1823 escalation."""

from __future__ import annotations

import html
import json
import logging
import re

import gradio as gr

from bot.answer.types import AnswerResult, Citation
from bot.markup import clean_html, safe_url
from bot.server.admission import Busy
from bot.server.errors import log_failure
from bot.server.services import Services
from bot.server.strings import EXAMPLES, LANGUAGE_CHOICES, text, ui_lang

log = logging.getLogger(__name__)

MAX_TURNS = 10  # earlier turns are not needed to understand a follow-up
SHOWN_SHARE = 4  # the conversation shown takes at most 1/4 of the request body limit (see recent_messages)
SNIPPET_CHARS = 400

CSS = """
#askgov-chat { max-width: 60rem; margin: 0 auto; }
#sources ol { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; }
.source-card { border: 1px solid var(--border-color-primary); border-radius: .5rem; padding: .6rem .8rem;
               background: var(--background-fill-secondary); overflow-wrap: anywhere; }
.source-card .source-n { font-weight: 700; margin-right: .4rem; }
.source-card blockquote { margin: .4rem 0 0; padding-left: .6rem; border-left: 3px solid var(--border-color-accent);
                          color: var(--body-text-color-subdued); font-size: .92em; white-space: pre-line; }
#sources h2 { font-size: 1.05rem; margin: .5rem 0; }
#escalation { border: 2px solid var(--color-accent); border-radius: .5rem; padding: .5rem .8rem; }
#askgov-chat button:focus-visible, #askgov-chat input:focus-visible, #askgov-chat textarea:focus-visible,
#askgov-chat a:focus-visible { outline: 3px solid var(--color-accent); outline-offset: 2px; }
@media (max-width: 640px) {
  #top-row, #question-row { flex-direction: column; align-items: stretch; }
  #top-row > *, #question-row > * { width: 100%; min-width: 0 !important; }
  #askgov-chat .example-button { flex: 1 1 100%; }
  #feedback-row { flex-wrap: wrap; }
  #feedback-row > .block { flex: 1 1 100%; }  /* the question above its two buttons */
}
"""


HEADING_SEPARATOR = " > "  # how bot.ingest.loaders joins a section's heading path
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"\*\*|__|`|^ {0,3}#{1,6}[ \t]+", re.MULTILINE)
_LIST_MARK = re.compile(r"^[-*+] ")  # on a line with its spaces already collapsed
_BLOCK_START = re.compile(r"^\s*([-*+]|#{1,6})[ \t]+")  # a list item or a Markdown heading
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def plain_text(markdown: str) -> str:
    """Document text without Markdown's markers (emphasis, code, heading hashes, link syntax), for a snippet."""
    return _MARKUP.sub("", _LINK.sub(r"\1", markdown))


def snippet_text(snippet: str) -> str:
    """A passage as a card quotes it: plain text, a line per paragraph, list item or heading (the line breaks
    inside a paragraph, as a PDF's layout leaves them, are joined), at most SNIPPET_CHARS."""
    blocks: list[str] = []
    joining = False
    for line in snippet.splitlines():
        words = " ".join(line.split())
        block = _BLOCK_START.match(line)
        if words and joining and not block:
            blocks[-1] += " " + words
        elif words:
            blocks.append(_LIST_MARK.sub("• ", words))
        joining = bool(words) and not (block and block.group(1).startswith("#"))  # a heading stands alone
    quoted = plain_text("\n".join(blocks))
    return quoted if len(quoted) <= SNIPPET_CHARS else quoted[:SNIPPET_CHARS] + "…"


def displayed_answer(answer: str) -> str:
    """Answer text made safe to render (document markup sanitised) with bold as HTML: CommonMark leaves `**`
    unclosed next to full-width punctuation (`**職員：**請`)."""
    return _BOLD.sub(r"<strong>\1</strong>", clean_html(answer))


def section_path(citation: Citation) -> str:
    """The section's heading path below the document's title, which the card already shows."""
    parts = [part.strip() for part in citation.heading.split(HEADING_SEPARATOR) if part.strip()]
    while parts and parts[0] == (citation.title or "").strip():
        parts.pop(0)
    return HEADING_SEPARATOR.join(parts)


def accessible_theme() -> gr.themes.Base:
    """Gradio's default theme with secondary text and buttons dark enough to read (WCAG AA: 4.5:1)."""
    red = gr.themes.colors.red
    return gr.themes.Default(primary_hue="blue").set(
        body_text_color_subdued="*neutral_600",
        color_accent="*primary_700",  # the selected tab's text
        link_text_color="*secondary_700",
        link_text_color_visited="*secondary_800",
        link_text_color_hover="*secondary_800",
        link_text_color_active="*secondary_800",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700",
        button_primary_background_fill_hover_dark="*primary_800",
        button_cancel_background_fill=red.c700,
        button_cancel_background_fill_hover=red.c800,
    )


def recent_messages(chat: list, max_bytes: int) -> list:
    """The latest messages of the conversation shown, at most `max_bytes` of JSON: it is kept in the web session,
    and a conversation as long as a client cares to make would cost memory and work with every answer."""
    kept: list = []
    size = 0
    for message in reversed(chat):
        size += len(json.dumps(message, ensure_ascii=False, default=str).encode("utf-8", "replace"))
        if size > max_bytes:
            break
        kept.append(message)
    return kept[::-1]


def client_key(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


def citation_where(citation: Citation, lang: str) -> str:
    return text(lang, "page", page=citation.page) if citation.page else section_path(citation)


def source_cards(citations: list[Citation], lang: str, links: list[str]) -> str:
    """Numbered cards for the cited passages (all text escaped: it comes from documents; a link only to an http(s) or
    relative address)."""
    if not citations:
        return ""
    cards = []
    for citation, link in zip(citations, links):
        title = html.escape(citation.title or citation.doc_id)
        link = safe_url(link)
        heading = f'<a href="{html.escape(link)}" target="_blank" rel="noopener">{title}</a>' if link else title
        where = citation_where(citation, lang)
        snippet = snippet_text(citation.snippet)
        cards.append(
            f'<li class="source-card" id="source-{citation.n}"><span class="source-n">[{citation.n}]</span>{heading}'
            f"{' · ' + html.escape(where) if where else ''}"
            f"<blockquote>{html.escape(snippet)}</blockquote></li>"
        )
    return (
        f'<section aria-labelledby="sources-heading"><h2 id="sources-heading">{html.escape(text(lang, "sources"))}'
        f"</h2><ol>{''.join(cards)}</ol></section>"
    )


def escalation_html(lang: str) -> str:
    separator = " " if lang == "en" else ""  # no space after a full-width colon
    title, body = html.escape(text(lang, "escalation_title")), html.escape(text(lang, "escalation"))
    return f"<p><strong>{title}</strong>{separator}{body}</p>"


def site_origin(request: gr.Request | None) -> str:
    inner = getattr(request, "request", None) if request is not None else None
    if inner is None:
        return ""
    proto = inner.headers.get("x-forwarded-proto", inner.url.scheme).split(",")[0].strip()
    host = inner.headers.get("x-forwarded-host", inner.url.netloc).split(",")[0].strip()
    return f"{proto}://{host}"


# Run on load and after each language switch: the page's lang attribute (screen readers pick their voice by it),
# and a name for each radio group, whose caption Gradio draws as a plain <span> rather than a <legend>.
SET_PAGE_LANG = """(lang) => {
  document.documentElement.lang = lang || 'en';
  document.querySelectorAll('fieldset').forEach((group, n) => {
    const caption = group.querySelector(':scope > [data-testid="block-info"]');
    const radios = group.querySelectorAll('input[type=radio]');
    if (!caption || !radios.length) return;
    caption.id = caption.id || `radio-group-caption-${n}`;
    group.setAttribute('role', 'radiogroup');
    group.setAttribute('aria-labelledby', caption.id);
    radios.forEach((radio) => { radio.name = `${caption.id}-choice`; });
  });
}"""


def build_citizen_ui(services: Services) -> gr.Blocks:
    max_question = services.settings.max_question_chars
    max_shown = services.settings.max_body_kb * 1024 // SHOWN_SHARE

    with gr.Blocks(title="AskGov HK") as ui:
        lang_state = gr.State("en")  # the UI language
        answer_lang = gr.State(None)  # None: follow the question's language; set once the user picks one
        turns = gr.State([])  # the conversation as the assistant sees it (without source keys)
        last = gr.State(None)  # the latest answer, for feedback and for re-rendering cards in another language
        status_key = gr.State(None)  # the string shown under the feedback row, redrawn in a new language
        # The conversation shown, kept here rather than read back from the browser: a client could send any history.
        conversation = gr.State([])

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
            escalation = gr.HTML(escalation_html("en"), visible=False, elem_id="escalation")
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
                    max_length=max_question,
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
            status_key,
            last,
        ]

        def respond(message: str, chat: list, history: list, lang: str, fixed_lang: str | None, request: gr.Request):
            # An unpaired surrogate (a JSON "\\ud800") would break the answer's stream: it becomes "?".
            message = str(message or "").encode("utf-8", "replace").decode("utf-8").strip()
            problem = "empty" if not message else "too_long" if len(message) > max_question else None
            if problem:
                yield {feedback_status: text(lang, problem, limit=max_question), status_key: problem}
                return
            verdict = services.rate_limits.hit(
                "rate_limit_questions", client_key(request), services.rate_limits.question_cost(message)
            )
            if not verdict.allowed:
                yield {feedback_status: text(lang, "rate_limited", seconds=verdict.retry_after), status_key: None}
                return
            chat = recent_messages(
                chat
                + [{"role": "user", "content": message}, {"role": "assistant", "content": text(lang, "searching")}],
                max_shown,
            )
            hidden = gr.update(visible=False)
            yield {
                question: "",
                chatbot: chat,
                sources: "",
                escalation: hidden,
                feedback_row: hidden,
                comment_row: hidden,
                comment: "",
                feedback_status: "",
                status_key: None,
                last: None,
            }
            try:
                streamed = ""
                for item in services.stream(message, history=services.recent_turns(history), lang=fixed_lang):
                    if isinstance(item, AnswerResult):
                        result = item
                        break
                    streamed += item
                    chat[-1] = {"role": "assistant", "content": displayed_answer(streamed)}
                    yield {chatbot: chat}
            except Busy as busy:  # said at once in the chat, rather than a spinner that turns until a worker is free
                chat[-1] = {"role": "assistant", "content": text(lang, "busy", seconds=busy.retry_after)}
                yield {chatbot: chat}
                return
            except Exception as error:  # the citizen sees a polite message; the server log has the details
                log_failure(log, "answering in the chat", error)
                chat[-1] = {"role": "assistant", "content": text(lang, "error")}
                yield {chatbot: chat, escalation: gr.update(visible=True)}
                return
            site = site_origin(request)
            links = [services.document_link(c, site) for c in result.citations]
            chat[-1] = {"role": "assistant", "content": displayed_answer(result.answer)}
            history = (
                history + [{"role": "user", "content": message}, {"role": "assistant", "content": result.answer}]
            )[-2 * MAX_TURNS :]
            yield {
                chatbot: chat,
                turns: history,
                sources: source_cards(result.citations, lang, links),
                escalation: gr.update(visible=result.refused),
                feedback_row: gr.update(visible=True),
                feedback_status: "",  # what an earlier answer's rating left there no longer applies
                status_key: None,
                last: {"question": message, "result": result.model_dump(), "links": links, "feedback_id": None},
            }

        def rate(rating: int):
            def handler(latest: dict | None, lang: str):
                if not latest:
                    return gr.update(), gr.update(), "", None, latest
                result = AnswerResult.model_validate(latest["result"])
                sources_list = [
                    f"[{c.n}] {c.title} ({c.doc_id}{', p. ' + str(c.page) if c.page else ''})" for c in result.citations
                ]
                saved, feedback_id = services.use_feedback(
                    lambda store: store.add_feedback(
                        rating, latest["question"], result.answer, result.lang, result.refused, sources_list
                    )
                )
                if not saved:
                    hidden = gr.update(visible=False)
                    return hidden, hidden, text(lang, "feedback_not_saved"), "feedback_not_saved", latest
                latest = {**latest, "feedback_id": feedback_id}
                return gr.update(visible=False), gr.update(visible=True), text(lang, "thanks"), "thanks", latest

            return handler

        def save_comment(note: str, latest: dict | None, lang: str):
            if not latest or not latest.get("feedback_id") or not (note or "").strip():
                return gr.update(), gr.update(), gr.update()
            saved, _ = services.use_feedback(lambda store: store.set_comment(latest["feedback_id"], note))
            key = "comment_thanks" if saved else "feedback_not_saved"
            return gr.update(visible=False), text(lang, key), key

        def clear_all():
            hidden = gr.update(visible=False)
            return [], [], None, "", hidden, hidden, hidden, "", None, "", []

        def relabel(lang: str, latest: dict | None, shown: str | None, select: bool = False) -> dict:
            """Every string in `lang`; the latest answer's source cards and the status line are redrawn too."""
            updates = {
                heading: f"# {text(lang, 'title')}\n{text(lang, 'intro')}",
                lang_switch: gr.update(label=text(lang, "language"), **({"value": lang} if select else {})),
                chatbot: gr.update(label=text(lang, "chat"), placeholder=text(lang, "chat_placeholder")),
                escalation: escalation_html(lang),
                feedback_prompt: text(lang, "feedback_prompt"),
                thumbs_up: text(lang, "thumbs_up"),
                thumbs_down: text(lang, "thumbs_down"),
                comment: gr.update(label=text(lang, "comment")),
                comment_send: text(lang, "comment_send"),
                question: gr.update(label=text(lang, "question"), placeholder=text(lang, "question_placeholder")),
                send: text(lang, "send"),
                examples_label: text(lang, "examples"),
                clear: text(lang, "clear"),
                footer: text(lang, "footer"),
                **dict(zip(example_buttons, EXAMPLES[lang])),
            }
            if latest:
                result = AnswerResult.model_validate(latest["result"])
                updates[sources] = source_cards(result.citations, lang, latest["links"])
            if shown:
                updates[feedback_status] = text(lang, shown, limit=max_question)
            return updates

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
            feedback_status,
            question,
            send,
            examples_label,
            *example_buttons,
            clear,
            footer,
        ]

        def choose_language(lang: str, latest: dict | None, shown: str | None):
            # A language the user picks is also the answer language from then on.
            return {
                lang_state: lang,
                answer_lang: lang,
                answer_lang_note: text(lang, "answer_lang_fixed"),
                **relabel(lang, latest, shown),
            }

        def language_from_url(request: gr.Request, latest: dict | None, shown: str | None):
            # ?lang= (e.g. from an embedding page) sets the UI language; answers still follow the question.
            lang = ui_lang(request.query_params.get("lang") if request else None)
            return {
                lang_state: lang,
                answer_lang_note: text(lang, "answer_lang_auto"),
                **relabel(lang, latest, shown, select=True),
            }

        def respond_and_keep(
            message: str, chat: list, history: list, lang: str, fixed_lang: str | None, request: gr.Request
        ):
            for outputs in respond(message, chat, history, lang, fixed_lang, request):
                # the chat shown, also kept in the session for the next question
                yield {**outputs, conversation: outputs[chatbot]} if chatbot in outputs else outputs

        ask_inputs = [question, conversation, turns, lang_state, answer_lang]
        ask_outputs = [*answer_outputs, conversation]
        # No limit here: Services' gate decides who is answered, who waits and who is told to try again; Gradio's
        # own queue would hold the rest behind a spinner.
        question.submit(respond_and_keep, ask_inputs, ask_outputs, concurrency_limit=None)
        send.click(respond_and_keep, ask_inputs, ask_outputs, concurrency_limit=None)
        for button in example_buttons:
            button.click(lambda value: value, button, question, queue=False).then(
                respond_and_keep, ask_inputs, ask_outputs, concurrency_limit=None
            )
        rated = [feedback_row, comment_row, feedback_status, status_key, last]
        thumbs_up.click(rate(1), [last, lang_state], rated)
        thumbs_down.click(rate(-1), [last, lang_state], rated)
        commented = [comment_row, feedback_status, status_key]
        comment_send.click(save_comment, [comment, last, lang_state], commented)
        comment.submit(save_comment, [comment, last, lang_state], commented)
        cleared = [
            chatbot,
            turns,
            last,
            sources,
            escalation,
            feedback_row,
            comment_row,
            feedback_status,
            status_key,
            question,
            conversation,
        ]
        clear.click(clear_all, None, cleared)
        chatbot.clear(clear_all, None, cleared)  # the chat's own bin icon
        lang_switch.input(
            choose_language,
            [lang_switch, last, status_key],
            [lang_state, answer_lang, answer_lang_note, *relabelled],
        ).then(None, lang_switch, None, js=SET_PAGE_LANG)
        ui.load(language_from_url, [last, status_key], [lang_state, answer_lang_note, *relabelled]).then(
            None, lang_switch, None, js=SET_PAGE_LANG
        )
    return ui
