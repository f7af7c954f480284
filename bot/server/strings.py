"""Every string of the citizens' chat, in English, Traditional Chinese (Hong Kong) and Simplified Chinese."""

from __future__ import annotations

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
        "sources_inline": "Sources",
        "page": "page {page}",
        "open": "Open the document",
        "escalation": "**Talk to a person:** call **1823**, the government enquiry hotline.",
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
        "sources_inline": "來源",
        "page": "第 {page} 頁",
        "open": "開啟文件",
        "escalation": "**與職員對話：**請致電政府熱線 **1823**。",
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
        "sources_inline": "来源",
        "page": "第 {page} 页",
        "open": "打开文件",
        "escalation": "**与工作人员对话：**请致电政府热线 **1823**。",
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


def text(lang: str, key: str, **values: object) -> str:
    strings = STRINGS.get(lang, STRINGS["en"])
    return strings[key].format(**values) if values else strings[key]


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
