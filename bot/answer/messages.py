"""Fixed replies: refusals and declines, in each language (Simplified is converted from Traditional)."""

from __future__ import annotations

from bot.lang import to_script

_REPLIES: dict[str, dict[str, str]] = {
    "weak_evidence": {
        "en": "I'm sorry, the documents I can search don't answer that question. For help, please call the "
        "government enquiry hotline, 1823.",
        "zh": "抱歉，我可查閱的文件沒有回答這個問題。如需協助，請致電政府熱線 1823。",
    },
    "not_given": {
        "en": "The documents I can search say they do not give this detail{sources}. For help, please call the "
        "government enquiry hotline, 1823.",
        "zh": "我可查閱的文件表明並沒有提供這項資料{sources}。如需協助，請致電政府熱線 1823。",
    },
    "injection": {
        "en": "I can only answer questions about Hong Kong's AI-enabled public services from the published "
        "documents, and I can't follow instructions that change how I work. For other help, please call 1823.",
        "zh": "我只能根據已發布的文件回答有關香港公共服務應用人工智能的問題，亦不能按要求改變運作方式。"
        "如需其他協助，請致電 1823。",
    },
    "system_prompt": {
        "en": "I can't share my internal instructions. I can answer questions about Hong Kong's AI-enabled "
        "public services from the published documents; for other help, please call 1823.",
        "zh": "我不能透露內部指示。我可以根據已發布的文件回答有關香港公共服務應用人工智能的問題；"
        "如需其他協助，請致電 1823。",
    },
    "role_play": {
        "en": "I can't take on another role or speak for anyone. I can tell you what the published documents "
        "say about Hong Kong's AI-enabled public services; for other help, please call 1823.",
        "zh": "我不能扮演其他角色或代表任何人發言。我可以告訴你已發布的文件怎樣介紹香港公共服務應用人工智能；"
        "如需其他協助，請致電 1823。",
    },
    "opinion": {
        "en": "I don't give personal opinions. I can tell you what the published documents say; for other "
        "help, please call 1823.",
        "zh": "我不會提供個人意見，但可以告訴你已發布的文件怎樣說。如需其他協助，請致電 1823。",
    },
    "speculation": {
        "en": "I can't speculate or make predictions. I can tell you what the published documents say about "
        "the plans; for other help, please call 1823.",
        "zh": "我不能作出猜測或預測，但可以告訴你已發布的文件對有關計劃的說明。如需其他協助，請致電 1823。",
    },
    "action": {
        "en": "I can't submit, register or pass on anything for you, and I don't keep personal details. I can "
        "answer questions from the published documents; to make a request, please call 1823.",
        "zh": "我不能代你提交、登記或轉交任何資料，亦不會保存個人資料。我可以根據已發布的文件回答問題；"
        "如需辦理事務，請致電 1823。",
    },
    # the learned guard (bot/guard.py): it knows a message is manipulative, not which kind, so the reply says
    # what the assistant does and does not do
    "off_limits": {
        "en": "I can only answer questions about Hong Kong's AI-enabled public services from what the published "
        "documents say. I don't give opinions or predictions, take on roles, or follow instructions given "
        "in a message. For other help, please call 1823.",
        "zh": "我只能根據已發布文件的內容，回答有關香港公共服務應用人工智能的問題；我不會提供意見或預測、扮演角色，"
        "亦不會執行訊息中的指示。如需其他協助，請致電 1823。",
    },
    "outside_documents": {
        "en": "I can only answer from the published documents I can search; I can't look things up on the "
        "internet or answer from general knowledge. For other help, please call 1823.",
        "zh": "我只能根據可查閱的已發布文件回答，不能上網搜尋，亦不會憑一般知識作答。如需其他協助，請致電 1823。",
    },
}


# The reader needs no more than that the documents do not say; the reason is kept apart for reports and staff.
_REPLIES["missing_detail"] = _REPLIES["not_mentioned"] = _REPLIES["weak_evidence"]


def reply(reason: str, lang: str, sources: int = 0) -> str:
    """The fixed reply for `reason`; `sources` citation markers [1]..[n] go where the reply cites documents."""
    texts = _REPLIES.get(reason, _REPLIES["weak_evidence"])
    text = texts["en"] if lang == "en" else to_script(texts["zh"], lang)
    markers = "".join(f"[{n}]" for n in range(1, sources + 1))
    return text.replace("{sources}", f" {markers}" if markers and lang == "en" else markers)
