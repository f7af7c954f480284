"""The web app. For now a passage-search page over the index; the citizens' chat and the staff console
replace it (see the interface issue)."""

from __future__ import annotations

import gradio as gr

from bot.config import Settings
from bot.retrieve import Passage, dense_search

ALL_LANGS = "all"


def format_passages(passages: list[Passage]) -> str:
    if not passages:
        return "No passages found. Has the index been built (`askgov ingest corpus/`)?"
    blocks = []
    for rank, p in enumerate(passages, 1):
        where = f", page {p.page}" if p.page else (f", {p.heading}" if p.heading else "")
        blocks.append(f"**{rank}. {p.title}**{where} · `{p.doc_id}` · {p.lang} · score {p.score:.3f}\n\n"
                      f"> {p.text}")
    return "\n\n---\n\n".join(blocks)


def build_app(settings: Settings) -> gr.Blocks:
    from bot.components import get_store

    store = get_store(settings)  # loads the embedder once, at start-up

    def run_search(query: str, lang: str) -> str:
        if not query.strip():
            return "Type a question or some keywords."
        return format_passages(dense_search(store, query, k=settings.search_k,
                                            lang=None if lang == ALL_LANGS else lang))

    with gr.Blocks(title="AskGov HK") as app:
        gr.Markdown("# AskGov HK\nSearch the policy documents on Hong Kong's AI-enabled public services "
                    "(English, 繁體中文, 简体中文). For enquiries, call 1823.")
        with gr.Row():
            query = gr.Textbox(label="Search the documents", placeholder="e.g. 數碼港超算中心有幾多算力？",
                               scale=4)
            lang = gr.Dropdown([ALL_LANGS, "en", "zh-Hant", "zh-Hans"], value=ALL_LANGS,
                               label="Passage language", scale=1)
        button = gr.Button("Search", variant="primary")
        results = gr.Markdown()
        button.click(run_search, [query, lang], results)
        query.submit(run_search, [query, lang], results)
    return app
