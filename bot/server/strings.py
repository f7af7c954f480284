"""Every string of the web pages: the citizens' chat in English, Traditional Chinese (Hong Kong) and Simplified
Chinese; the staff console in English and Traditional Chinese, the language call-centre staff read.

Plain text only: Markdown's `**` does not close next to full-width punctuation, so emphasis is added as HTML.
"""

from __future__ import annotations

import gradio as gr

from bot.lang import LANGS

LANGUAGE_CHOICES = [("English", "en"), ("繁體中文", "zh-Hant"), ("简体中文", "zh-Hans")]

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "AskGov HK",
        "intro": "Ask about Hong Kong's AI-enabled public services. Answers come only from the published "
        "documents, and each answer lists its sources.",
        "language": "Language",
        "chat": "Conversation with AskGov HK",
        "chat_placeholder": "Ask a question in English, 中文 or 粵語.",
        "question": "Your question",
        "question_placeholder": "Type your question, then press Enter",
        "send": "Ask",
        "clear": "Clear conversation",
        "examples": "Try asking:",
        "sources": "Sources",
        "page": "page {page}",
        "open": "Open the document",
        "escalation_title": "Talk to a person:",
        "escalation": "call 1823, the government enquiry hotline.",
        "footer": "AskGov HK can be wrong: check the source before relying on an answer. Need a person? "
        "Call 1823. Please do not type personal details such as your HKID or phone number.",
        "feedback_prompt": "Was this answer helpful?",
        "thumbs_up": "👍 Helpful",
        "thumbs_down": "👎 Not helpful",
        "comment": "Anything to add? (optional; please leave out personal details)",
        "comment_send": "Send comment",
        "thanks": "Thank you for your feedback.",
        "comment_thanks": "Thank you, your comment was saved.",
        "searching": "Searching the documents…",
        "empty": "Please type a question.",
        "too_long": "Please keep your question under {limit} characters.",
        "error": "Sorry, something went wrong. Please try again, or call 1823.",
        "busy": "Sorry, many people are asking questions right now. Please try again in about {seconds} seconds.",
        "answer_lang_auto": "Answers follow the language of your question.",
        "rate_limited": "You have asked many questions in a short time. Please wait {seconds} seconds and try "
        "again, or call 1823.",
        "feedback_not_saved": "Sorry, your feedback could not be saved just now. Your answer above is not affected.",
        "answer_lang_fixed": "Answers in English.",
    },
    "zh-Hant": {
        "title": "AskGov HK 政府資訊問答",
        "intro": "查詢香港公共服務應用人工智能的資料。答案只根據已發布的文件，並列出出處。",
        "language": "語言",
        "chat": "與 AskGov HK 的對話",
        "chat_placeholder": "可用英文、中文或廣東話提問。",
        "question": "你的問題",
        "question_placeholder": "輸入問題，然後按 Enter",
        "send": "提問",
        "clear": "清除對話",
        "examples": "試試問：",
        "sources": "資料來源",
        "page": "第 {page} 頁",
        "open": "開啟文件",
        "escalation_title": "與職員對話：",
        "escalation": "請致電政府熱線 1823。",
        "footer": (
            "AskGov HK 的答案可能有誤，請先查看出處。如需真人協助，請致電 1823。"
            "請勿輸入身份證號碼、電話號碼等個人資料。"
        ),
        "feedback_prompt": "這個答案有幫助嗎？",
        "thumbs_up": "👍 有幫助",
        "thumbs_down": "👎 沒有幫助",
        "comment": "有其他意見嗎？（可選填；請勿填寫個人資料）",
        "comment_send": "提交意見",
        "thanks": "多謝你的意見。",
        "comment_thanks": "多謝，你的意見已經儲存。",
        "searching": "正在搜尋文件…",
        "empty": "請輸入問題。",
        "too_long": "問題請少於 {limit} 字。",
        "error": "抱歉，系統出現問題。請再試一次，或致電 1823。",
        "busy": "抱歉，現在提問的人很多。請約 {seconds} 秒後再試。",
        "answer_lang_auto": "答案會使用你提問的語言。",
        "rate_limited": "你在短時間內提出了很多問題。請等 {seconds} 秒後再試，或致電 1823。",
        "feedback_not_saved": "抱歉，你的意見暫時未能儲存。上面的答案不受影響。",
        "answer_lang_fixed": "答案會以繁體中文顯示。",
    },
    "zh-Hans": {
        "title": "AskGov HK 政府资讯问答",
        "intro": "查询香港公共服务应用人工智能的资料。答案只根据已发布的文件，并列出出处。",
        "language": "语言",
        "chat": "与 AskGov HK 的对话",
        "chat_placeholder": "可用英文、中文或粤语提问。",
        "question": "你的问题",
        "question_placeholder": "输入问题，然后按 Enter",
        "send": "提问",
        "clear": "清除对话",
        "examples": "试试问：",
        "sources": "资料来源",
        "page": "第 {page} 页",
        "open": "打开文件",
        "escalation_title": "与工作人员对话：",
        "escalation": "请致电政府热线 1823。",
        "footer": (
            "AskGov HK 的答案可能有误，请先查看出处。如需人工协助，请致电 1823。"
            "请勿输入身份证号码、电话号码等个人资料。"
        ),
        "feedback_prompt": "这个答案有帮助吗？",
        "thumbs_up": "👍 有帮助",
        "thumbs_down": "👎 没有帮助",
        "comment": "还有其他意见吗？（选填；请勿填写个人资料）",
        "comment_send": "提交意见",
        "thanks": "谢谢你的反馈。",
        "comment_thanks": "谢谢，你的意见已保存。",
        "searching": "正在搜索文件…",
        "empty": "请输入问题。",
        "too_long": "问题请少于 {limit} 字。",
        "error": "抱歉，系统出现问题。请再试一次，或致电 1823。",
        "busy": "抱歉，现在提问的人很多。请约 {seconds} 秒后再试。",
        "answer_lang_auto": "答案会使用你提问的语言。",
        "rate_limited": "你在短时间内提出了很多问题。请等 {seconds} 秒后再试，或致电 1823。",
        "feedback_not_saved": "抱歉，你的意见暂时未能保存。上面的答案不受影响。",
        "answer_lang_fixed": "答案会以简体中文显示。",
    },
}

# Questions the bundled documents answer (see corpus/README.md), written for each language.
EXAMPLES: dict[str, list[str]] = {
    "en": [
        "How much computing power does the AI Supercomputing Centre at Cyberport have?",
        "How much money has been set aside for AI development?",
        "Will my personal data be safe when public services use AI?",
    ],
    "zh-Hant": [
        "數碼港人工智能超算中心有幾多算力？",
        "政府撥咗幾多錢發展人工智能？",
        "公共服務用人工智能，我嘅個人資料安唔安全？",
    ],
    "zh-Hans": [
        "数码港人工智能超算中心有多少算力？",
        "政府拨出多少资金发展人工智能？",
        "公共服务使用人工智能后，我的个人资料安全吗？",
    ],
}


STAFF_LANGUAGE_CHOICES = [("English", "en"), ("繁體中文", "zh-Hant")]

STAFF_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "AskGov HK staff console",
        "intro": "For call-centre staff. Nothing here is shown to citizens.",
        "language": "Console language",
        "signed_in": "Signed in as {user}",
        "tab_search": "Search passages",
        "tab_draft": "Draft an answer",
        "tab_feedback": "Feedback",
        "tab_gaps": "Unanswered questions",
        "tab_admin": "Admin",
        "query": "Search the documents",
        "query_placeholder": "e.g. supercomputing centre capacity / 超算中心 算力",
        "passage_lang": "Passage language",
        "any_lang": "Any language",
        "only_documents": "Only these documents",
        "passages": "Passages",
        "search": "Search",
        "type_query": "Type a question or some keywords.",
        "no_passages": "No passages found. Try other words, or remove the filters.",
        "page": "page {page}",
        "rank_score": "rank score",
        "similarity": "similarity",
        "source": "source",
        "chunk": "chunk",
        "caller_question": "Caller's question",
        "answer_lang": "Answer language",
        "same_lang": "Same as the question",
        "draft": "Draft answer",
        "type_caller_question": "Type the caller's question.",
        "plain": "Answer and sources as plain text",
        "refused": "Refused ({reason}): the documents do not support an answer. Suggest 1823 or check the question "
        "in Search.",
        "answered_by": "Answered by the {backend} backend.",
        "answered_by_fallback": "Answered by the {backend} backend (fallback: {fallback}).",
        "refresh": "Refresh",
        "feedback_table": "Citizens' ratings, newest first (personal data redacted)",
        "feedback_headers": "when (UTC)|rating|question|answer|comment|lang|sources",
        "gaps_intro": "Questions the assistant refused or citizens rated down, most frequent first: likely gaps in "
        "the documents. Personal data is redacted.",
        "gaps_table": "Unanswered questions",
        "gap_headers": "question (latest wording)|asked|refused|👎|last (UTC)|lang",
        "reindex": "Re-index corpus/",
        "index_summary": "The index holds {chunks} chunks from {documents} documents (embedder {embedder}, corpus "
        "folder {corpus}).",
        "reindex_failed": "Re-indexing failed: {error}",
        "reindex_done": "Done: {indexed} indexed, {unchanged} unchanged, {removed} removed, {failed} failed.",
        "review_files": "Review these files ({count} warnings):",
        "log_out": "Log out",
        "withheld": "Withheld from answers: this document holds text addressed to an assistant (see `askgov "
        "ingest`). Review it, then fix or remove it and re-index.",
    },
    "zh-Hant": {
        "title": "AskGov HK 職員控制台",
        "intro": "供熱線中心職員使用。此處內容不會向市民顯示。",
        "language": "控制台語言",
        "signed_in": "已登入：{user}",
        "tab_search": "搜尋段落",
        "tab_draft": "草擬答案",
        "tab_feedback": "市民意見",
        "tab_gaps": "未能解答的問題",
        "tab_admin": "管理",
        "query": "搜尋文件",
        "query_placeholder": "例如：超算中心 算力 / supercomputing centre capacity",
        "passage_lang": "段落語言",
        "any_lang": "任何語言",
        "only_documents": "只搜尋這些文件",
        "passages": "段落數目",
        "search": "搜尋",
        "type_query": "請輸入問題或關鍵字。",
        "no_passages": "找不到段落。請換用其他字詞，或取消篩選。",
        "page": "第 {page} 頁",
        "rank_score": "排序分數",
        "similarity": "相似度",
        "source": "來源",
        "chunk": "段落編號",
        "caller_question": "來電者的問題",
        "answer_lang": "答案語言",
        "same_lang": "與問題相同",
        "draft": "草擬答案",
        "type_caller_question": "請輸入來電者的問題。",
        "plain": "答案及出處（純文字）",
        "refused": "未有回答（{reason}）：文件不足以支持答案。請建議致電 1823，或在「搜尋段落」查看這個問題。",
        "answered_by": "由 {backend} 後端回答。",
        "answered_by_fallback": "由 {backend} 後端回答（後備：{fallback}）。",
        "refresh": "重新整理",
        "feedback_table": "市民評分，最新的在前（個人資料已遮蓋）",
        "feedback_headers": "時間（UTC）|評分|問題|答案|意見|語言|出處",
        "gaps_intro": "助理未有回答或市民給予負評的問題，最常見的在前：文件可能欠缺這些資料。個人資料已遮蓋。",
        "gaps_table": "未能解答的問題",
        "gap_headers": "問題（最新寫法）|次數|未有回答|👎|最近（UTC）|語言",
        "reindex": "重新索引 corpus/",
        "index_summary": "索引共有 {chunks} 個段落，來自 {documents} 份文件"
        "（嵌入模型 {embedder}，文件資料夾 {corpus}）。",
        "reindex_failed": "重新索引失敗：{error}",
        "reindex_done": "完成：{indexed} 份已索引，{unchanged} 份未有改動，{removed} 份已移除，{failed} 份失敗。",
        "review_files": "請檢查以下檔案（{count} 項警告）：",
        "log_out": "登出",
        "withheld": "不會用於回答：這份文件含有向助理發出指示的文字（見 `askgov ingest`）。"
        "請檢查並修正或移除，然後重新索引。",
    },
}


# Gradio's status tracker tells screen readers `common.complete` when an event ends, a key its own locales lack.
# Keyed by Gradio's locale names; Gradio picks one from the browser's language.
GRADIO_TRANSLATIONS = gr.I18n(
    en={"common.complete": "Done"},
    **{"zh-TW": {"common.complete": "完成"}, "zh-CN": {"common.complete": "完成"}},
)


def text(lang: str, key: str, **values: object) -> str:
    strings = STRINGS.get(lang, STRINGS["en"])
    return strings[key].format(**values) if values else strings[key]


def staff_text(lang: str, key: str, **values: object) -> str:
    strings = STAFF_STRINGS.get(lang, STAFF_STRINGS["en"])
    return strings[key].format(**values) if values else strings[key]


def staff_lang(value: str | None) -> str:
    """The console's language for `value` (e.g. from ?lang=): Chinese of either script reads Traditional."""
    return "en" if ui_lang(value) == "en" else "zh-Hant"


def ui_lang(value: str | None) -> str:
    """A supported UI language for `value` (e.g. from ?lang=), English otherwise."""
    if not value:
        return "en"
    by_lower = {lang.lower(): lang for lang in LANGS} | {
        "zh-hk": "zh-Hant",
        "zh-tw": "zh-Hant",
        "zh-cn": "zh-Hans",
        "zh": "zh-Hant",
    }
    return by_lower.get(value.strip().lower(), "en")
