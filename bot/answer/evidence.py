"""Does an answer hold the kind of thing the question asks for?

Passages about the right topic can still lack the detail asked for: "When does the application period
close?" retrieves the scheme's fact sheet, which has no date. Each kind of question in `_ASKS` (when, on which
day, how much, how much power, each one's share, how many, which body / university / company / sector / services,
who holds a post or sits on a committee, an address, a salary, where something is built, how often, how to apply,
what is required, progress so far, a comparison, a given year) needs an answer holding the matching detail in
`_HOLDS` (a date, a day, an amount, a figure in kWh, a figure per one, a number given for the thing counted, a
name, examples, a street, a sum per month, a place, a comparison that names the place compared with ...);
otherwise the honest reply is a refusal. Sentences that say a detail is not given hold nothing. What the question
itself names (a scheme in quotes, either side of an either-or, what a yes/no question asks to be covered) the
answer has to name too.

So is a question whose words occur in the retrieved passages only in sentences where the documents say they do
not give it ("Public reporting does not give eligibility rules", "公開報道未有提及"), and an answer made only of
such sentences: the documents are then clear that they cannot answer.
"""

from __future__ import annotations

import re

import jieba.posseg as posseg

from bot.lang import asking_sentences, fold, split_sentences
from bot.text import STOP_WORDS, content_tokens, keyword_tokens

_POST_EN = r"(director|head|chief|chair(man|woman|person)?|secretary|minister|commissioner|president|leader|ceo)"
_POST_ZH = (
    r"(專員|专员|院長|院长|局長|局长|首長|首长|主席|署長|署长|處長|处长|司長|司长|總裁|总裁|總監|总监|負責人|负责人|"
    r"主管|話事人|话事人|掌舵人|頭頭|头头)"
)
_WHO_ZH = r"(邊個|边个|邊位|边位|誰|谁|叫咩名|叫什麼|叫什么|姓名|名字)"
_ASKS: dict[str, re.Pattern[str]] = {
    # ...but not "When people have given their views, what ...?": a clause before the question
    "date": re.compile(
        r"^\W*when\b(?![^?,，]*[,，])|\bwhen (will|is|are|was|were|do|does|did|can|could|should|would|has|have|must)\b|"
        r"\bby when\b|\b(what|which) (year|date|day|month)\b|\bdeadline\b|\b(closing|opening|start|end|due) date\b|"
        r"幾時|几时|什麼時候|什么时候|甚麼時候|"
        r"何時|何时|何年|哪一?年|邊年|边年|(哪|邊|边)(個|个)?\w{0,4}年度|截止",
        re.IGNORECASE,
    ),
    # the month itself: "2030年或之前" gives a year, not the month asked for (幾月 is which month, 幾個月 how long)
    "month": re.compile(
        r"\b(what|which) month\b|\bin which month\b|(哪|邊|边)(一)?(個|个)?月(?!份?[薪費费])|"
        r"(?<![十\d])(幾|几)月",
        re.IGNORECASE,
    ),
    # the day itself: "2030年或之前" or "mid-2026" gives no day
    "day": re.compile(
        r"\bwhich day\b|\bexact date\b|\bon what date\b|(邊|边|哪)(一)?(日|天)|"
        r"(幾|几)(多)?(號|号)(?![碼码])|"
        # the next event's day: "When is the next public forum?" is not answered by a rollout year
        r"\bwhen (is|will be|are) the next\b|"
        r"下一(次|場|场|輪|轮|屆|届|期)[^？?，,]{0,10}(幾時|几时|何時|何时|什麼時候|什么时候|甚麼時候)|"
        r"(幾時|几时|何時|何时|什麼時候|什么时候|甚麼時候)[^？?，,]{0,6}下一(次|場|场|輪|轮|屆|届|期)",
        re.IGNORECASE,
    ),
    # how long something lasts: a length of time, or the date it runs to
    "duration": re.compile(
        r"\bhow long (will|does|do|did|is|are|would|should|has|have)\b|\bfor how long\b|"
        r"(多長|多长)(時間|时间)(?!一次)|多久(?!一次)|(幾|几)耐(?!一次)|為期多|为期多|"
        r"(幾多|几多|多少)(年|個月|个月|日|天|星期)|(幾|几)(個|个)月|(?<![十\d])(幾|几)年(?![級级前])",
        re.IGNORECASE,
    ),
    "amount": re.compile(
        r"\bhow much (money|funding|does it cost|will it cost|is the fee)|"
        r"\b(how much|what)\b[^?]{0,40}\bcosts?\b|\bfees?\b|\bprice\b|(?<!in )\bcharges?\b(?! of\b)|"
        r"\bsalary\b|\bfined?\b|\bpenalt(y|ies)\b|\bseverance\b|\bhourly\b|"
        r"\bwhat (do|does|would|will) (\w+ ){1,3}pay\b|\bpay (per|an|a|by the) (hour|day|month|job)\b|"
        r"每(小時|小时|個鐘|个钟|粒鐘|粒钟)(收|要|俾|畀|付)|\ballowances?\b|\bstipends?\b|津貼|津贴|"
        r"\bcompensation\b|幾多錢|几多钱|多少錢|多少钱|收費|收费|費用|费用|人工有幾多|年薪|薪金|罰款|罚款|"
        r"賠償|赔偿|遣散",
        re.IGNORECASE,
    ),
    # how much power or energy: a capacity in petaflops is not a consumption
    "energy": re.compile(
        r"\bhow much (electricity|power|energy)\b|\b(electricity|power|energy) (use|usage|consumption)\b|"
        r"(耗電|耗电|用電|用电|電力消耗|电力消耗)(量)?(有|係|系|是|大概|約|约)?(幾多|几多|多少|幾大|几大)|"
        r"(用|食|耗)(幾多|几多|多少)(度)?(電|电)",
        re.IGNORECASE,
    ),
    "rate": re.compile(
        r"\brate\b|\bpercent(age)?\b|%|比率|比例|百分|全額|全额|全數|全数|\bin full\b|"
        r"\bfully (covered|subsidi[sz]ed|funded|paid)\b",
        re.IGNORECASE,
    ),
    # 十幾個人 / 二十几个 is "a dozen or so", not a question
    "count": re.compile(
        r"\bhow many\b|(?<![邊边哪這这那呢嗰十百千\d])(多少|幾多|几多|幾|几)(個|个|名|人|間|间|項|项|位|家|所|倍|次|份|宗|張|张|條|条|筆|笔|部門|部门|員工|员工)",
        re.IGNORECASE,
    ),
    "web address": re.compile(r"\b(website|web address|url|link)\b|網址|网址|網站|网站|連結|链接", re.IGNORECASE),
    # which body does something: an answer naming none ("Over 60 organisations were checked") does not say
    "organisation": re.compile(
        r"\bwhich (\w+ )?(organi[sz]ations?|compan(y|ies)|firms?|departments?|bod(y|ies)|agenc(y|ies)|offices?|"
        r"bureaux?)\b|"
        r"\bwho (will )?(build|run|operate|conduct|carr(y|ies) out|is responsible)\b|"
        r"\b(can you |please )?name (some|any|all|a few|one) of (them|those|these|the \w+)\b|"
        r"(邊個|边个|哪個|哪个|哪間|哪间|邊間|边间|哪些|邊啲|边啲|邊幾個|边几个|哪幾個|哪几个|乜嘢|(?<![為为])什麼|(?<![為为])什么)"
        r"(政府)?(機構|机构|部門|部门|公司|團體|团体|組織|组织)|"
        # 邊間 / 哪间 alone: which one of the bodies just named ("60幾間機構...有冇邊間唔合格？")
        r"(邊|边|哪)(一)?(間|间)(?=[唔不未冇没係系是會会做負负可？?])|"
        r"(由|係|是)?(邊個|边个|誰|谁)(負責|负责|興建|兴建|營運|营运)",
        re.IGNORECASE,
    ),
    # a named university or company: "works with local universities" names none
    "university": re.compile(
        r"\bwhich (\w+ ){0,2}universit(y|ies)\b|(哪|邊|边)(幾|几|些|啲)?(所|間|间)?(本地)?大(學|学)|"
        r"大(學|学)\w{0,4}(哪|邊|边)(幾|几|些|啲)(所|間|间)",
        re.IGNORECASE,
    ),
    "company": re.compile(
        r"\bwhich (\w+ ){0,2}(compan(y|ies)|firms?|vendors?|suppliers?|manufacturers?|brands?)\b|"
        r"(哪|邊|边)(家|間|间|個|个|些|啲)(公司|廠商|厂商|供應商|供应商|品牌)",
        re.IGNORECASE,
    ),
    # X against Y ("more powerful than Singapore's?", "稅務寬減同加速折舊邊樣慳得多啲？"): the documents must compare
    "comparison": re.compile(
        r"\b((more|less) \w+|better|worse|bigger|smaller|faster|slower|cheaper|stronger|weaker|higher|lower) than\b|"
        r"\bwhich (one )?(is|are|was|will be|would be) (bigger|larger|greater|smaller|higher|lower|cheaper|faster)\b|"
        # ...but not a change over time: "compared with when it opened"
        r"\bcompared? (with|to)\b(?! (when|its|what it|the (start|launch|beginning)))|\bversus\b|\bvs\.?\s|"
        r"(同|跟|與|与|和).{1,12}(比|相比|比較|比较)|(哪|邊|边)(個|个|樣|样|種|种)?.{0,6}(更|較|较|多啲|好啲|平啲|勁啲)|"
        r"(勁|强|強|好|快|平|多|大)過",
        re.IGNORECASE,
    ),
    # where something is built or located needs a place's name ("the dedicated zones" names none); "where would the
    # money go" and 用喺邊度 (spent on what) ask no place
    "location": re.compile(
        r"\bwhere (will|would|is|are) (the|it|they|this|these)\b[\w ]{0,40}?\b(built|located|situated|sited|"
        r"placed|housed)\b|\bwhere exactly\b|\b(and|or) where\s*\?|\bwhen and where\b|\bwhere and when\b|"
        r"\bwhich (district|area|location)\b|"
        r"\bin which (district|area)\b|(?<!用)喺邊(度|區)|(?<!用)在哪(裡|里|個區|个区|区)|(邊|边|哪)(一|個|个)?(地區|地区|區|区)|"
        r"選址|选址|分院|分部|分校|\b(built|located|sited|set up|based) (in|at) (the )?[A-Z]",
        re.IGNORECASE,
    ),
    # progress so far: plans for 2027 do not say how many have been retrained, paid or launched to date
    "progress": re.compile(
        r"\bso far\b|\bto date\b|\bup to now\b|\bright now\b|到目前為止|到目前为止|至今|迄今|"
        r"(實際|实际)(應用|应用|推出|發放|发放)了|已經有幾多|已经有多少",
        re.IGNORECASE,
    ),
    # which sectors: "already changing a number of sectors" names none
    "sector": re.compile(
        r"\bwhich (\w+ ){0,2}(sectors|industries)\b|(哪|邊|边)(幾|几|些|啲)(個|个)?(行業|行业|界別|界别|領域|领域)",
        re.IGNORECASE,
    ),
    # which services exactly: "the first solutions go live by mid-2026" names none
    "services": re.compile(
        r"\bwhich (\w+ ){0,2}services?\b|(哪|邊|边)[\d幾几些啲項项個个]{0,4}(公共|政府)?(服務|服务)|"
        r"(有冇|有沒有|有没有)(份|一份)?(清單|清单)|\b(is there|give me) a (full |complete )?list\b",
        re.IGNORECASE,
    ),
    # yes/no questions on a detail the topic's documents may not settle: whether it is free, capped, delayed or
    # changed, whether all passed, which languages, whether the public may visit or rent it
    "free": re.compile(
        r"\b(is|are|be) (it|they|this|that|\w+) (free|free of charge)\b|\bfor free\b|\bfree (for|to)\b|"
        r"\bcost anything\b|免唔免費|免不免费|係咪免費|是不是免费|使唔使(俾)?錢|使唔使(俾)?钱|要不要(付)?钱|"
        r"收唔收(錢|钱|費|费)|收不收(钱|费)",
        re.IGNORECASE,
    ),
    "limit": re.compile(
        r"\b(cap|ceiling|quota|upper limit|maximum amount)\b|"
        r"\bthe most (one|a|an|each|any|a single) \w+ (could|can|may|might|would) (get|receive|claim)\b|"
        r"上限|配額|配额|限額|限额|封頂|封顶",
        re.IGNORECASE,
    ),
    "status": re.compile(
        r"\b(delayed|postponed|put off|pushed back|cancell?ed|scrapped|rejected|vetoed|voted down|"
        r"amended|overturned)\b|延遲|延迟|推遲|推迟|押後|押后|推唔切|否決|否决|(修改|修訂|修订)(過|过|咗|了)",
        re.IGNORECASE,
    ),
    "outcome": re.compile(
        r"\b(pass|passed|fail|failed)\b(?! (on|it|them|my|the message))|(唔|不)?合格|(有冇|有没有|是否)(通過|通过)",
        re.IGNORECASE,
    ),
    "language": re.compile(
        r"\bin (urdu|hindi|nepali|tagalog|indonesian|thai|putonghua|mandarin|cantonese|english|chinese|"
        r"other languages)\b|普通話|普通话|國語|国语|粵語|粤语|英文版|烏爾都|乌尔都|尼泊爾|尼泊尔|"
        r"(少數族裔|少数族裔|其他)(語言|语言)",
        re.IGNORECASE,
    ),
    "visit": re.compile(
        r"參觀|参观|\bopen to the public\b|\bguided tours?\b|\bvisit (it|the (centre|center|site|institute))\b|"
        r"(租用|租借|租)(\w{0,16})(算力|設施|设施|場地|场地)|\b(rent|lease|hire) (computing|time|space|capacity)",
        re.IGNORECASE,
    ),
    # who sits on a committee, and how often something happens
    "membership": re.compile(
        r"\bwho sits on\b|\bwho (are|is|will be) (on|in) the (committee|board|panel)|\bmade up of\b|"
        r"由(哪些|什麼|什么|甚麼|咩)人(組成|组成)|(哪些|咩|什麼|什么)人(組成|组成)|成員|成员",
        re.IGNORECASE,
    ),
    "frequency": re.compile(
        r"\bhow (often|frequently)\b|多久一次|幾耐一次|几耐一次|每隔多久|(多長|多长)時間一次|(多長|多长)时间一次",
        re.IGNORECASE,
    ),
    # how to apply, what to hand in: "Check the official scheme information before applying" answers it,
    # "Public reporting does not give application procedures" does not (sentences declaring a gap never count)
    "procedure": re.compile(
        r"\bhow (do|can|should|would|could|to) (i|we|you|they|one|\w+ )?(apply|sign up|register|enrol|submit)|"
        r"\bapplication (process|procedure|form)s?\b|\bwhat (documents|papers|forms)\b|"
        r"\bwhere (do|can|should) (i|we|they) (apply|submit|send|sign up|register|enrol)\b|"
        r"(點|点|怎樣|怎样|怎麼|怎么|如何)(樣|样)?(去)?申(請|请)|申(請|请)(流程|程序|手續|手续|方法)|"
        r"(咩|什麼|什么|甚麼|哪些)文件|(哪裡|哪里|邊度|边度)(遞交|递交|提交|申請|申请)|"
        # where to sign up or collect, and what to bring: "再培訓課程應在何處報名？", "需要带什么证件？"
        r"(何處|何处|哪裡|哪里|哪兒|哪儿|邊度|边度|去哪)(可以)?(報名|报名|領取|领取|登記|登记|索取)|"
        r"(帶|带|攜帶|携带|準備|准备)(咩|乜嘢|什麼|什么|甚麼|哪些)(證件|证件|文件|資料|资料|證明|证明)|"
        r"(咩|乜嘢|什麼|什么|甚麼|哪些)(證件|证件)|"
        r"\bwhat (documents|papers|id|identification)\b[^?]{0,30}\bbring\b|\bwhere (do|can|should) (i|we|they|he|she) "
        r"(collect|pick up|sign up for)\b|"
        r"(遞交|递交|提交)(建議書|建议书)",
        re.IGNORECASE,
    ),
    "eligibility": re.compile(
        # the requirements themselves; "Who is eligible?" is answered by naming who ("local companies")
        r"\b(eligibility )?(requirements|criteria|conditions)\b|\bqualifications\b|"
        # how people are picked for something: selection rules
        r"\bhow (are|is|will) (\w+ ){0,3}(picked|selected|chosen)\b|(點樣|点样|怎樣|怎样|如何)(揀選|拣选|挑選|挑选|甄選|甄选)|"
        r"(資格|资格)(要求|條件|条件|係|是|有)?(咩|乜嘢|什麼|什么|甚麼|哪些)|(符合|達到|达到)(哪些|什麼|什么|甚麼|咩)(條件|条件|要求)|"
        r"(學歷|学历)|工作(經驗|经验)|申(請|请)(條件|条件)|\bincome (limit|ceiling|cap|threshold)s?\b|\bmeans[- ]test|"
        r"(入息|收入|資產|资产)(限額|限额|上限|審查|审查|要求)|"
        r"(需要|要|有)(啲)?(咩|乜嘢|什麼|什么|甚麼|哪些)(條件|条件|資格|资格|要求)|\bdo (i|we|you|they) need to (be|have)\b|"
        r"需唔需要|需不需要|要唔要(係|是|有)",
        re.IGNORECASE,
    ),
    # whether a group is spared: "mainly administrative and support roles" does not say the police are not
    "exemption": re.compile(r"\bexempt(ed|ion)?\b|\bspared\b|豁免", re.IGNORECASE),
    # each one's share: "the HK$10 billion for universities" does not say what each university gets
    "share": re.compile(
        r"\b(each|per|every) (university|applicant|company|firm|business|person|project|school|"
        r"household|department|organi[sz]ation|student)\b[^?]{0,40}\b(get|gets|receive|receives|"
        r"allocated|given|how much)\b|\bhow much (does|will|would|can) (each|every)\b|"
        r"(每|每一)(間|间|個|个|名|位|所|家|項|项|個人|个人|位人)[^？?，,]{0,12}(幾多|几多|多少|幾錢|几钱)",
        re.IGNORECASE,
    ),
    # a salary needs a sum paid per month or year, which a scheme's funding is not
    "salary": re.compile(
        r"\b(minimum|starting|required) (salary|pay|wage)\b|\bsalary (level|threshold|requirement)s?\b|"
        r"\bhow much (salary|pay)\b|最低(工資|工资|薪金|薪酬|人工)|(月薪|年薪|薪金|薪酬)(要求|門檻|门槛|下限)|"
        r"(幾多|几多|多少)(人工|薪金|薪酬|工資|工资)|"
        # still paid while retraining: "再培训期间还有工资吗？"
        r"(還有|还有|仲有|有冇|有没有|有沒有)(人工|工資|工资|薪金|薪水|糧|粮)(?!智能)|"
        r"(人工|工資|工资|薪金|薪水)(照發|照发|照出)|"
        r"\b(still|continue to|keep) (get|getting|be|being) paid\b",
        re.IGNORECASE,
    ),
    # a place in a ranking: "在亚洲排第几？", "where does Hong Kong rank?"
    "rank": re.compile(
        r"\bwhat rank\b|\branked\b|\branking\b|\bwhere does [\w ]{1,40} rank\b|排(第)?(幾|几)|排名|名列", re.IGNORECASE
    ),
    # an address needs a street or a number, which "at Cyberport" does not give
    "address": re.compile(
        r"\b(an|the|its|their|street|office|postal|mailing) address\b|\baddress (of|for)\b|地址", re.IGNORECASE
    ),
    # who holds a post: a person's name, which an office or a department does not answer
    "person": re.compile(
        rf"\bwho\b[^?]*\b{_POST_EN}\b|\b{_POST_EN}\b[^?]*\bwho\b|\bwho (heads|leads|chairs|runs)\b|"
        r"\bwho (has been|was|will be|is being|is|were) (appointed|named|chosen|picked|selected|hired|"
        r"put in charge)\b|"
        r"\bname of (the )?(person|official|individual|man|woman|boss)\b|\b(person|official|individual) "
        r"(at the top|in charge)\b|"
        rf"{_POST_ZH}[^？?]*{_WHO_ZH}|{_WHO_ZH}[^？?]*{_POST_ZH}",
        re.IGNORECASE,
    ),
}
_HOLDS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\b(19|20)\d{2}\b|(19|20)\d{2}|\b(january|february|march|april|may|june|july|august|"
        r"september|october|november|december)\b|\bmid-|年[初中底]|[一二三四五六七八九十\d]+月",
        re.IGNORECASE,
    ),
    "month": re.compile(
        r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
        r"(early|late|end of) (19|20)\d{2})\b|\bmid-(19|20)\d{2}|年[初中底]|上半年|下半年|"
        r"(?<![幾几])[一二三四五六七八九十\d]+月",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty)[ -]"
        r"(years?|months?|weeks?|days?|hours?)\b|[一二兩两三四五六七八九十\d]+\s?(年|個月|个月|週|周|星期|日|天|"
        r"小時|小时)|為期|为期|\b(19|20)\d{2}\b|(19|20)\d{2}|\bmid-",
        re.IGNORECASE,
    ),
    "day": re.compile(
        r"\b(january|february|march|april|may|june|july|august|september|october|november|december) "
        r"\d{1,2}\b|\b\d{1,2} (january|february|march|april|may|june|july|august|september|october|"
        r"november|december)\b|\d{1,2}\s?(日|號|号)(?![^\W\d]{0,1}(前|後|后|內|内))",
        re.IGNORECASE,
    ),
    # 億 alone is no amount: "千萬億次" (a quadrillion operations) is a speed
    "amount": re.compile(
        r"HK\$|US\$|\$\s?\d|港元|港幣|港币|美元|\d\s?(billion|million)|\d\s?[億亿萬万]", re.IGNORECASE
    ),
    "energy": re.compile(
        r"\d\s?(kwh|mwh|gwh|twh|kw|mw|gw|megawatts?|gigawatts?)\b|\d\s?(度|千瓦|兆瓦|瓦)", re.IGNORECASE
    ),
    "rate": re.compile(r"\d\s?%|percent|百分之|\d+\s?成", re.IGNORECASE),
    "count": re.compile(
        r"\d|\bone\b(?! of)|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
        r"forty|fifty|hundred|thousand|million|billion|dozen)\b|[一二兩两三四五六七八九十百千萬万億亿]+\s?"
        r"(個|个|名|人|間|间|項|项|位|家|所|倍|次|年|成|大|方面|途徑|途径)",
        re.IGNORECASE,
    ),
    "web address": re.compile(r"https?://|\bwww\.|\.(gov|org|com|net)\b|\.hk\b", re.IGNORECASE),
    "organisation": re.compile(
        r"\b[A-Z][a-z]+ (Office|Department|Bureau|Authority|Council|Commission|Committee|Institute|University|"
        r"Centre|Center|Corporation|Company|Limited)\b|\b(Cyberport|Ltd|Inc|universities)\b|"
        r"辦公室|办公室|委員會|委员会|公署|專員|专员|政策局|管理局|事務局|事务局|公司|大學|大学|數碼港|数码港|研發院|"
        r"研发院|學院|学院"
    ),
    "university": re.compile(
        r"\bUniversity of [A-Z]|\b[A-Z][a-z]+ University\b|\b(HKU|CUHK|HKUST|PolyU|CityU|HKBU)\b|"
        r"(香港|中文|科技|理工|城市|浸會|浸会|嶺南|岭南|教育|都會|都会)大(學|学)|港大|中大|科大|理大|城大|浸大"
    ),
    "company": re.compile(r"\b[A-Z][\w&-]+ (Ltd|Limited|Inc|Corp|Corporation|Holdings|Group)\b|有限公司|集團|集团"),
    "comparison": re.compile(
        r"\bthan\b|\bcompared? (with|to)\b|\b(times|fold)\b|\b(more|less|fewer|higher|lower)\b|"
        r"\b(most|least|biggest|largest|smallest|highest|lowest)\b|最(大|多|少|高|低)|"
        r"比|更|較|较|倍|多於|多于|少於|少于|超過|超过|相若"
    ),
    "location": re.compile(
        r"\b(Cyberport|Kowloon|New Territories|Lantau|Hong Kong Island|Sha Tin|Tseung Kwan O|Tuen Mun|"
        r"Yuen Long|Northern Metropolis|Sandy Ridge|Lok Ma Chau|San Tin)\b|數碼港|数码港|九龍|九龙|新界|"
        r"大嶼山|大屿山|港島|港岛|沙田|將軍澳|将军澳|屯門|屯门|元朗|北部都會區|北部都会区|沙嶺|沙岭|落馬洲|"
        r"落马洲|新田|河套"
    ),
    "progress": re.compile(
        r"\b(already|so far|to date|have been|has been|had been|have undergone|has undergone|were|was)\b|"
        r"已經|已经|至今|迄今|已(有|接受|推出|啟用|启用|完成|發放|发放)",
        re.IGNORECASE,
    ),
    "sector": re.compile(
        r"\b(health|healthcare|medical|transport|transportation|finance|financial|banking|education|"
        r"logistics|manufacturing|retail|tourism|property|construction|legal)\b|醫療|医疗|交通|運輸|运输|"
        r"金融|銀行|银行|教育|物流|製造|制造|零售|旅遊|旅游|地產|地产|建造|法律",
        re.IGNORECASE,
    ),
    # ...or names several: "to improve healthcare, education and financial services", "醫療、教育及金融服務"
    "services": re.compile(
        r"\b(such as|including|e\.g\.|for example|for instance)\b|例如|包括|比如|譬如|諸如|诸如|"
        r"\w+, \w+,? and \w+ services\b|、[^、，。]{1,8}(及|和|與|与|同)[^、，。]{1,8}(服務|服务)",
        re.IGNORECASE,
    ),
    "free": re.compile(r"\bfree\b|\bno (fee|charge|cost)\b|免費|免费|收費|收费|\bfees?\b|\bcharges?\b", re.IGNORECASE),
    "limit": re.compile(
        r"\b(cap|capped|ceiling|quota|up to|maximum|at most|no more than)\b|上限|配額|配额|限額|限额|最多|最高|"
        r"不超過|不超过",
        re.IGNORECASE,
    ),
    "status": re.compile(
        r"\b(delay|postpone|put off|pushed back|cancel|scrap|reject|veto|voted|amend|overturn|on track|"
        r"on schedule|unchanged)\w*|延遲|延迟|推遲|推迟|押後|押后|否決|否决|修改|修訂|修订|如期|按計劃|按计划",
        re.IGNORECASE,
    ),
    "outcome": re.compile(
        r"\b(pass|passed|fail|failed|compliant|non-compliant|breach)\w*|合格|通過|通过|違規|违规|符合規定|符合规定",
        re.IGNORECASE,
    ),
    "language": re.compile(
        r"\b(urdu|hindi|nepali|tagalog|indonesian|thai|putonghua|mandarin|cantonese|languages?)\b|"
        r"普通話|普通话|國語|国语|粵語|粤语|英文|烏爾都|乌尔都|尼泊爾|尼泊尔|語言|语言|語文|语文",
        re.IGNORECASE,
    ),
    "visit": re.compile(
        r"參觀|参观|開放予|开放予|開放給|开放给|\bopen to\b|\btours?\b|\bvisit|租|\b(rent|lease|hire)", re.IGNORECASE
    ),
    "exemption": re.compile(
        r"\bexempt|\bspared\b|\bexcept\b|\bexcluding\b|\bnot apply\b|豁免|不適用|不适用|除外|"
        r"不包括",
        re.IGNORECASE,
    ),
    "membership": re.compile(r"\bmembers?\b|\bcompris|\bmade up of\b|\bconsist|組成|组成|成員|成员", re.IGNORECASE),
    "frequency": re.compile(
        r"\b(daily|weekly|monthly|quarterly|annually|yearly|every|once|twice|times a)\b|"
        r"每(日|天|週|周|月|季|年)|一次|兩次|两次",
        re.IGNORECASE,
    ),
    "procedure": re.compile(
        r"\bappl(y|ying|ication)|\bsubmi(t|ssion)|\bforms?\b|\bregist|\benrol|申請|申请|遞交|递交|"
        r"提交|表格|登記|登记|報名|报名",
        re.IGNORECASE,
    ),
    "eligibility": re.compile(
        r"\beligib|\bqualif|\bcriteria|\brequire|\bopen to\b|\bselect|資格|资格|條件|条件|要求|具備|具备|"
        r"學歷|学历|經驗|经验|甄選|甄选",
        re.IGNORECASE,
    ),
    "share": re.compile(r"\b(each|per|every)\b|\bup to\b|\bmaximum\b|每|上限|最多|最高", re.IGNORECASE),
    "salary": re.compile(
        r"\d[^.。]{0,30}\b(a|per|each) (month|year)\b|(月薪|年薪|薪金|薪酬|工資|工资)[^。；]{0,20}\d|"
        r"\d[^。；]{0,20}(月薪|年薪)",
        re.IGNORECASE,
    ),
    "rank": re.compile(
        r"\branked\b|\b(first|second|third|top|\d+(st|nd|rd|th)) (in|among|place)\b|第\s?\d+\s?(位|名)|"
        r"第[一二三四五六七八九十]+(位|名)|排名|名列",
        re.IGNORECASE,
    ),
    "address": re.compile(
        r"\b(Road|Street|Avenue|Drive|Building|Tower|Floor)\b|[道街路]\d|\d+\s?(號|号|樓|楼)|大廈|大厦"
    ),
    "person": re.compile(
        r"\b(Mr|Ms|Mrs|Miss|Dr|Prof|Professor|Sir|Dame)\b\.?\s+[A-Z]|先生|女士|小姐|博士|教授|太平紳士|太平绅士"
    ),
}
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_LIST_ITEM = re.compile(r"[;；]")
_MARKER = re.compile(r"\[(\d+)\]")


def missing_detail(question: str, answer: str) -> str:
    """What the question asks for that the answer does not hold (a kind of `_ASKS`: "date", "count", "company",
    "procedure" ...; "the year 2028"; "a figure for 耗电量"), or ""."""
    # a citation's number is no figure, and "no application dates have been published" gives no date
    cited = answer
    answer = " ".join(s for s in split_sentences(_MARKER.sub("", answer)) if not declares_gap(s))
    for year in sorted({match.group() for match in _YEAR.finditer(question)}):
        if year not in answer:
            return f"the year {year}"
    # "Out of the 200-plus services, how many ...?" is not answered by "over 200 services" or "by mid-2026": a count
    # repeating the question's own numbers, or a year, gives none
    beyond_question = _YEAR_OR_SPAN.sub(" ", _without_numbers_of(question, answer))
    # what the question asks is in its asking sentences: "the start-up cost scares me. Is anything planned for firms
    # my size?" asks for no amount
    asked = " ".join(asking_sentences(question)) or question
    for kind, asks in _ASKS.items():
        if asks.search(asked) and not _HOLDS[kind].search(beyond_question if kind == "count" else answer):
            return kind
    if _ASKS["comparison"].search(question):
        absent = [place for place in places_named(question) if fold(place).lower() not in fold(answer).lower()]
        if absent:  # "more powerful than Singapore's?" needs the documents to say something of Singapore
            return f"a comparison with {absent[0]}"
    unnamed = things_not_named(question, answer)
    if unnamed:
        return unnamed
    subject = counted_subject(question)
    # "How many services will use AI by 2030?": the 2030 in "by 2030 the centre will reach 15,000 petaflops" and
    # the 200 services planned for 2027 do not answer it; one sentence has to give the figure for that year
    years = [match.group() for match in _YEAR.finditer(question)]
    # the thing itself in the sentence with the figure; what narrows it ("private-sector", "civil service") in the
    # same passage: "In the civil service ... About 10,000 posts will go" answers for those posts, while a figure for
    # all public services does not answer for healthcare ones that another passage mentions
    *narrowing, thing = subject.split() or [""]
    # (one item of a list, when the sentence is one: "2027: 200 services; By 2030: 15,000 petaflops")
    if subject and not any(
        counts(item, thing)
        and all(year in item for year in years)
        and all(_mentions(passage, word) for word in narrowing)
        for sentence, passage in _with_passage(cited)
        if not declares_gap(sentence)
        for item in _LIST_ITEM.split(sentence)
    ):
        return f"a figure for {subject}" + (f" in {' and '.join(years)}" if years else "")
    return ""


# What a question names and needs the answer to name too: a name in quotes (“高才通”), both sides of an either-or
# (英伟达还是华为), and what a yes/no question asks to be covered or where it asks something to be built
# (連紀律部隊都包埋, "does it pay for staff training", 有冇用於海關通關嘅, 係咪會起喺北部都會區).
# A quoted name is short; a quoted sentence ("回答時必須講明「交通已經唔再係重點」") is an instruction, left to safety.
_QUOTED = re.compile(r"[“「『\"]([^”」』\"係是已唔不會会]{2,8}|[A-Za-z][\w .'-]{1,30})[”」』\"]")
# In English "or" joins whole clauses too often ("already running, or still only on paper?") to read the sides as
# names, so only Chinese either-or questions are checked.
_EITHER_OR_ZH = re.compile(r"(?P<left>[^，,。？?]*?)(還是|还是|定係|定系|抑或)(?P<right>[^，,。？?]*)")
_COVERED = re.compile(
    r"(連|连)(?P<zh1>[^，,。？?都也]{1,10})(都|也)|(cover埋|包埋|包唔包|包不包)(?P<zh2>[^，,。？?嗎吗呀啊]{1,10})|"
    r"(有冇|有没有|有沒有)(用於|用于|用喺|關於|关于|針對|针对)(?P<zh3>[^，,。？?]{1,10}?)(嘅|的)|"
    r"(係咪|係唔係|是不是|是否|會唔會|会不会|會否|会否)[^，,。？?]{0,6}(起|建|設|设)(喺|在)(?P<zh4>[^，,。？?嗎吗呀啊]{2,8})|"
    # where it is: "係咪喺北部都會區？"
    r"(係咪|係唔係|是不是|是否)(就)?(喺|位於|位于|設於|设于)(?P<zh5>[^，,。？?嗎吗呀啊]{2,8})|"
    r"\b(does|do|will|would|can) (it|they|this|that|the [\w\s-]{1,40}?) (also )?(cover|pay for|fund|include|apply to|"
    r"extend to) (?P<en>[\w\s-]{2,60}?)(?=\s*(,|\?|\bor\b|$))",
    re.IGNORECASE,
)


def things_not_named(question: str, answer: str) -> str:
    """Something the question names that the answer must name too, and does not ("“高才通”", "英伟达 or 华为"), or ""."""
    said, folded = set(content_tokens(answer)), fold(answer)

    def named(tokens: list[str], share: float = 0.5) -> bool:  # at least that share of the tokens is in the answer
        found = sum(1 for token in tokens if token in said or (not token.isascii() and token in folded))
        return bool(tokens) and found >= share * len(tokens)

    for match in _QUOTED.finditer(question):
        if not named(content_tokens(match.group(1)), share=1.0):
            return f"the name {match.group(1)}"
    for asking in asking_sentences(question) or [question]:
        either = _EITHER_OR_ZH.search(asking)
        if either:
            left, right = content_tokens(either.group("left"))[-1:], content_tokens(either.group("right"))[:1]
            if left and right and not (named(left) or named(right)):
                return f"either {' '.join(left)} or {' '.join(right)}"
    covered = _COVERED.search(question)
    if covered:
        thing = next(group for group in covered.group("zh1", "zh2", "zh3", "zh4", "zh5", "en") if group)
        tokens = content_tokens(thing)
        if tokens and not named(tokens):
            return f"whether it covers {thing.strip()}"
    return ""


_CAPITALISED = re.compile(r"(?<![.?!:]\s)(?<!^)\b([A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})*)\b")
# jieba's place tag also marks 普及 and 城市, so the places a comparison is usually made with are listed
_PLACES_ZH = re.compile(
    r"新加坡|深圳|廣州|广州|上海|北京|杭州|內地|内地|中國|中国|大陸|大陆|台灣|台湾|澳門|澳门|日本|東京|东京|"
    r"韓國|韩国|首爾|首尔|美國|美国|英國|英国|倫敦|伦敦|歐洲|欧洲|亞洲|亚洲|其他(國家|国家|城市|地方|地區|地区)"
)
_OTHER_PLACES = re.compile(r"\bother (countries|cities|economies|places)\b", re.IGNORECASE)
_HOME = {"hong kong", "hongkong"}


def places_named(question: str) -> list[str]:
    """Places a question names besides Hong Kong (新加坡, "Singapore", "other cities"); in English, any name."""
    english = [match.group(1) for match in _CAPITALISED.finditer(question.strip())]
    others = [match.group() for pattern in (_PLACES_ZH, _OTHER_PLACES) for match in pattern.finditer(question)]
    return [name for name in english + others if name.lower() not in _HOME]


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_YEAR_OR_SPAN = re.compile(r"(?<![\d,.])(19|20)\d{2}([-–/]\d{2})?(?!\d|[,.]\d)")


def _without_numbers_of(question: str, answer: str) -> str:
    """The answer with the numbers the question states taken out."""
    stated = {number.replace(",", "") for number in _NUMBER.findall(question)}
    return _NUMBER.sub(lambda found: " " if found.group().replace(",", "") in stated else found.group(), answer)


def _with_passage(answer: str) -> list[tuple[str, str]]:
    """Each sentence of an answer (markers removed) with all the answer says from the same passage."""
    pairs = _sentences_with_markers(answer) or [(answer, 0)]
    said: dict[int, list[str]] = {}
    for sentence, marker in pairs:
        said.setdefault(marker, []).append(_MARKER.sub("", sentence))
    return [(_MARKER.sub("", sentence), " ".join(said[marker])) for sentence, marker in pairs]


_FIGURES = ("date", "month", "duration", "amount", "rate", "count")
_ASKS_MORE = re.compile(
    r"\b(and|or|also)\s+(who|what|which|why|where|how|when|is|are|does|do|did|can|will)\b|"
    r"同埋|以及|另外|仲有|還有|还有|並且|并且|而且",
    re.IGNORECASE,
)
_ASKS_QUANTITY = re.compile(r"\bhow (much|many|big|large)\b|幾多|几多|多少|幾大|几大", re.IGNORECASE)


def figures_asked(question: str) -> list[re.Pattern[str]]:
    """What a figure answering the question looks like (a date for "when", a number for "how many"), when a figure
    is all it asks for; [] when it asks for none, or for something more ("When do they launch, and who oversees
    them?", two questions in one message)."""
    if not asks_one_thing(question) or any(
        asks.search(question) for kind, asks in _ASKS.items() if kind not in _FIGURES
    ):
        return []
    wanted = [_HOLDS[kind] for kind in _FIGURES if _ASKS[kind].search(question)]
    if _ASKS_QUANTITY.search(question):  # "而家有幾多算力?": a number, though not a count of things
        wanted.append(_HOLDS["count"])
    return wanted


def asks_one_thing(question: str) -> bool:
    """Whether a message asks one question ("When do they launch, and who oversees them?" asks two)."""
    return len(asking_sentences(question)) <= 1 and not _ASKS_MORE.search(question)


def holds_figure(sentence: str, figures: list[re.Pattern[str]]) -> bool:
    """Whether a sentence holds one of `figures`, or says such a figure is not given."""
    return declares_gap(sentence) or any(holds.search(_MARKER.sub("", sentence)) for holds in figures)


# "How many private-sector jobs will be lost?" is not answered by "Projects in three sectors ...": the figure has
# to be given for the thing counted, in the same sentence.
# Only "how many": what "how much" asks about is often worded otherwise ("computing power" -> "capacity").
_HOW_MANY = re.compile(r"\bhow many ([a-z][a-z-]*(?: [a-z][a-z-]*){0,3})", re.IGNORECASE)
_ENDS_NOUN_PHRASE = frozenset(
    "will would is are was were do does did can could should have has had in of for to at on by from with under "
    "across over per that it they there each a the".split()
)
# ...nor is a share, which the rate kind checks ("占多少比例?": 5%)
_GENERIC = frozenset(
    "money funding funds budget time more people target share proportion percentage 钱 资金 金额 时间 人 钟 倍 "
    "目标 比例 比率 百分比".split()
)
# 边几个 / 哪几项 ask "which ones", not "how many"; 60几间 is "sixty-odd"
_HOW_MANY_ZH = re.compile(
    r"(多少|几多|(?<![边哪这那呢嗰\d一二三四五六七八九十百千])几)(个|名|位|项|间|家|所|宗|架|部|座|只|张|份|条|种|类)?"
)
_CLAUSE_END = re.compile(r"[，,、。？?！!；;]")
_YEAR_ZH = re.compile(r"(?<!\d)(19|20)\d{2}(-\d{2})?(年度|年)?")
# what colloquial Chinese calls a currency, by the name the documents use (folded: 港紙 -> 港纸)
_WRITTEN = {"美金": "美元", "港纸": "港元", "港币": "港元"}
_BEFORE_HOW_MANY_ZH = re.compile(r"(大概|大约|约|一共|总共|合共|共|将|会|可以|可)*(有|是|系|为|达到|达|需要|要)?$")


def counted_subject(question: str) -> str:
    """The thing whose number a "how many" / 幾多 / 多少 question asks for ("job", "耗电量"), or ""."""
    english = _HOW_MANY.search(question)
    if english:
        words: list[str] = []
        phrase = english.group(1).lower().split()
        if phrase[0] == "times":  # "how many times bigger": a multiple, not a number of things
            return ""
        if phrase[0] in ("are", "were") and len(phrase) > 1 and not phrase[1].endswith(("ed", "ing")):
            phrase = phrase[1:]  # "how many are government departments?" counts departments
        for word in phrase:
            if word in _ENDS_NOUN_PHRASE:
                break
            words.append(word)
        if not words or words[-1] in _GENERIC:
            return ""
        # every word of it: "how many private-sector jobs" is not answered by a figure for civil service jobs
        return " ".join(content_tokens(" ".join(words)))
    folded = _YEAR_ZH.sub(" ", fold(question))  # the year is checked on its own; jieba reads 2030年算力 as 年算力
    for match in _HOW_MANY_ZH.finditer(folded):
        if match.group(1) == "几" and not match.group(2):
            continue  # 几时, 几耐, 几大: when, how long, how big
        after = _noun_phrase(_CLAUSE_END.split(folded[match.end() :])[0])
        clause = _CLAUSE_END.split(folded[: match.start()])[-1]
        # "X有幾多", "X係幾多": X is counted; after a verb ("研發院分到幾多", "擴到幾多") the amount itself is asked
        linked = _BEFORE_HOW_MANY_ZH.search(clause)
        before = content_tokens(clause[: linked.start()]) if linked and linked.group(2) else []
        words = after or before[-1:]
        head = words[-1] if words else ""
        # an English word in a Chinese question ("折合US dollar约多少") may be answered in Chinese (美元); 幾多錢發展
        # 人工智能 and 那笔钱 ask the amount
        generic = any(word in _GENERIC or word.endswith(("钱", "资金", "金额")) for word in words[:1] + words[-1:])
        words = [_WRITTEN.get(word, word) for word in words]
        return " ".join(words) if head and not generic and not head.isascii() else ""
    return ""


_WORDY = re.compile(r"\w")


def _noun_phrase(clause: str) -> list[str]:
    """The words of the noun phrase opening a (folded) Chinese clause: "市民回复" in "市民回复？", "职位" in "职位会被
    削减" (a verb closing the clause is read as a noun: 回复, a reply; 服务, a service); else its first content word."""
    tagged = [(word, flag) for word, flag in posseg.lcut(clause) if _WORDY.search(word)]
    phrase = []
    for i, (word, flag) in enumerate(tagged):
        last = i == len(tagged) - 1
        if word in STOP_WORDS or not (
            flag.startswith("n") or (flag == "vn" and (phrase or not last)) or (flag == "v" and last and phrase)
        ):
            break
        phrase.append(word)
    return phrase or content_tokens(clause)[:1]


_NUMBER_WORDS = frozenset(
    keyword_tokens(
        "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty seventy "
        "eighty ninety hundred hundreds thousand thousands million millions dozen dozens"
    )
)


def counts(sentence: str, thing: str) -> bool:
    """Whether a sentence gives a number of `thing` (a stem such as "servic", or a folded Chinese word). In English
    the number comes a few words before it ("over 200 public services"), not anywhere in the sentence ("Three
    priorities stand out: healthcare services ...")."""
    if thing.isascii():
        words = keyword_tokens(sentence)
        numbers = [i for i, word in enumerate(words) if word.isdigit() or word in _NUMBER_WORDS]
        return any(word == thing and any(i - 4 <= n < i for n in numbers) for i, word in enumerate(words))
    # Chinese puts the figure before the thing or after it ("算力為3,000 petaflops"): anywhere in the sentence
    return _mentions(sentence, thing) and bool(_HOLDS["count"].search(sentence))


def _mentions(sentence: str, subject: str) -> bool:
    return subject in content_tokens(sentence) or (not subject.isascii() and subject in fold(sentence))


# Matched against folded text (Simplified, NFKC, lower case), so 說明, 説明 (the Hong Kong form) and 说明 all match.
_GAP = re.compile(
    r"\b(does|do|did) not (give|say|state|specify|set out|list|mention|include|name|provide|report|describe)\b|"
    r"\bnot (stated|specified|given|published|reported|announced|mentioned|disclosed|set out)\b|"
    r"\bno (dates?|figures?|details?|amounts?) (have|has|are|is|were|was) (been )?(reported|published|announced|given)\b|"
    r"\bgives? no (dates?|figures?|details?|amounts?|names?|location)\b|"
    r"[未没]有(提及|列明|列出|说明|公布|披露|交代|介绍|描述|提供)|并未(提及|列明|列出|说明|公布|披露|介绍|描述|提供)|不作(列出|说明|提供)"
)


def declares_gap(sentence: str) -> bool:
    """Whether a sentence says the documents do not give something."""
    return bool(_GAP.search(fold(sentence)))


def only_gaps(answer: str) -> bool:
    """Whether every sentence of an answer says the documents do not give something: that is no answer."""
    sentences = split_sentences(_MARKER.sub("", answer))
    return bool(sentences) and all(declares_gap(s) for s in sentences)


def words_only_in_gaps(question: str, sentences: list[str]) -> set[str]:
    """The question's words that these sentences use only where they say a detail is not given."""
    gaps = [s for s in sentences if declares_gap(s)]
    if not gaps:
        return set()
    stated = {word for s in sentences if s not in gaps for word in content_tokens(s)}
    in_gaps = {word for s in gaps for word in content_tokens(s)}
    return (set(content_tokens(question)) & in_gaps) - stated


def passages_not_giving(question: str, passages: list[str]) -> list[int]:
    """The 1-based numbers of the passages that say they do not give what the question asks about, when the
    retrieved passages mention some word of the question only there ("the rate of the electricity subsidy":
    "rate" occurs only in "The reporting does not state their rates or amounts"); else none."""
    return list(dict.fromkeys(n for n, _ in gaps_about(question, passages)))


def gaps_about(question: str, passages: list[str]) -> list[tuple[int, str]]:
    """The sentences (with their passage's 1-based number) behind `passages_not_giving`."""
    by_passage = [split_sentences(text) for text in passages]
    missing = words_only_in_gaps(question, [s for sentences in by_passage for s in sentences])
    return [
        (n, s)
        for n, sentences in enumerate(by_passage, 1)
        for s in sentences
        if declares_gap(s) and missing & set(content_tokens(s))
    ]


def parts_not_given(question: str, passages: list[str]) -> list[tuple[int, str]]:
    """For a message asking two or more things of which the documents answer some ("What is the fund for? Can I
    apply now?"), the sentences saying they do not give the rest; [] when every part, or the whole, is unanswered."""
    parts = asking_sentences(question)
    if len(parts) < 2 or all(passages_not_giving(part, passages) for part in parts):
        return []
    return gaps_about(question, passages)


# What a sentence saying a detail is not given names, by the kind of question (`_ASKS`) it leaves unanswered.
# Matched against folded text. Narrow on purpose: "subsidy levels are not stated" does not leave "how much is the
# scheme?" unanswered.
_GAP_NAMES: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"\b(dates?|timetable|schedule)\b|日期|时间表"),
    "amount": re.compile(r"\b(amounts?|budgets?|costs?|charges?)\b|金额|预算|成本|收费"),
    "count": re.compile(r"\b(figures?|numbers?|quotas?)\b|数字|数目|名额"),
    "location": re.compile(r"\b(locations?|venues?)\b|选址|地点|位置"),
    "web address": re.compile(r"\b(addresses|urls?)\b|网址"),
    "organisation": re.compile(r"\borgani[sz]ations\b|机构"),
    "eligibility": re.compile(r"\b(eligibility|criteria|qualifying conditions|qualif\w*)\b|资格|条件"),
    "procedure": re.compile(r"\b(application )?(procedures?|process)\b|申请程序"),
}
_CLAUSE = re.compile(r"[;；]")


def gaps_naming_asked(question: str, answer: str) -> list[int]:
    """The [n] markers of the answer's sentences that say the documents do not give the kind of detail the question
    asks for ("When will the cluster be finished?": "public reporting does not give ... a completion date"), in
    order. Other sentences of the answer then hold a detail of that kind about something else (the 2030 target)."""
    kinds = [kind for kind, asks in _ASKS.items() if kind in _GAP_NAMES and asks.search(question)]
    found = []
    for sentence, marker in _sentences_with_markers(answer):
        clauses = [fold(clause) for clause in _CLAUSE.split(sentence) if declares_gap(clause)]
        if any(_GAP_NAMES[kind].search(clause) for kind in kinds for clause in clauses):
            found.append(marker)
    return list(dict.fromkeys(found))


def _sentences_with_markers(answer: str) -> list[tuple[str, int]]:
    """Each sentence of an answer with the [n] marker that closes it or, for a part of a list, the list."""
    pairs, waiting = [], []
    for sentence in split_sentences(answer):
        waiting.append(sentence)
        markers = _MARKER.findall(sentence)
        if markers:
            pairs += [(part, int(markers[-1])) for part in waiting]
            waiting = []
    return pairs


def gap_markers(answer: str) -> list[int]:
    """The [n] markers of the sentences that say a detail is not given, in order of first use."""
    found = [
        int(n) for sentence in split_sentences(answer) if declares_gap(sentence) for n in _MARKER.findall(sentence)
    ]
    return list(dict.fromkeys(found))
