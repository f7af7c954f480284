"""An answer must hold the kind of detail its question asks for."""

from __future__ import annotations

import pytest

from bot.answer.evidence import (
    declares_gap,
    gaps_naming_asked,
    missing_detail,
    only_gaps,
    parts_not_given,
    passages_not_giving,
)


@pytest.mark.parametrize(
    "question, answer, missing",
    [
        ("When does the application period close?", "The scheme has HK$3 billion for three years [1].", "date"),
        ("When will the first AI services launch?", "They are expected by mid-2026 [1].", ""),
        ("What does 'equitable' mean when they talk about AI services?", "It means rolled out fairly [1].", ""),
        ("首批人工智能方案幾時推出？", "首批方案預計在2026年年中推出[1]。", ""),
        ("人工智能資助計劃幾時截止申請？", "計劃獲撥款30億港元，為期三年[1]。", "date"),
        ("2028年超算中心嘅算力會係幾多？", "算力計劃在2030年或之前達到15,000 petaflops[1]。", "the year 2028"),
        (
            "How much does it cost to rent the supercomputer per hour?",
            "The centre opened with 3,000 petaflops [1].",
            "amount",
        ),
        ("政府撥咗幾多錢發展人工智能？", "政府預留140億港元[1]。", ""),
        ("政府撥咗幾多錢發展人工智能？", "撥款約140億[1]。", ""),
        ("租用超算中心每個鐘頭收幾多錢？", "算力為3,000 petaflops（千萬億次）[1]。", "amount"),
        ("What is the tax credit rate for AI investment?", "Companies may get tax incentives [1].", "rate"),
        ("公務員編制會減少百分之幾？", "約佔編制5%[1]。", ""),
        ("Which office oversees the institute?", "The Digital Policy Office [1].", ""),
        ("Who is the director of the AI institute?", "The Digital Policy Office oversees the institute [1].", "person"),
        ("Who is the director of the AI institute?", "Professor Chan Tai-man directs it [1].", ""),
        ("人工智能研發院院長係邊個？", "數字政策辦公室負責監督研發院[1]。", "person"),
        ("人工智能研发院由哪个部门监督？", "由数字政策办公室监督[1]。", ""),
        ("Who is eligible for the AI Subsidy Scheme?", "Local companies [1].", ""),
        ("How many private-sector jobs will be lost?", "Some jobs may shrink or shift [1].", "count"),
        ("How many civil service posts will go?", "About 10,000 civil service posts will go [1].", ""),
        # what narrows the thing counted may be said elsewhere in the answer
        (
            "How many civil service posts will go?",
            "The civil service will shrink [1]. About 10,000 posts will go [1].",
            "",
        ),
        ("over how many years", "It runs for three years [1].", ""),
        ("研發院有幾多個員工？", "研發院需要有技能的人員[1]。", "count"),
        ("研发院内部分几个部门？", "研发院与本地大学合作[1]。", "count"),
        ("撥款分幾多個途徑？", "撥款分三個途徑運用[1]。", ""),
        ("共融服務要跟邊幾個原則？", "可及、可負擔及公平[1]。", ""),  # which ones, not how many
        (
            "Which organisations failed the privacy compliance checks?",
            "Over 60 organisations were checked [1].",
            "organisation",
        ),
        ("Which office oversees the institute?", "The Digital Policy Office oversees it [1].", ""),
        (
            "Which government departments will lose the most staff?",
            "Most cuts are in support roles [1].",
            "organisation",
        ),
        ("Which organisations does the institute work with?", "Local universities and Cyberport [1].", ""),
        (
            "超過60間機構已接受合規審查，係邊個機構負責做呢啲審查？",
            "這個數字顯示香港採取主動的態度[1]。",
            "organisation",
        ),
        ("研發院由哪個部門監督？", "由數字政策辦公室監督[1]。", ""),
        ("为什么机构要持续做风险评估？", "系统会更新并用于新工作[1]。", ""),  # 为什么: why, not which body
        ("违反条例会被罚款多少？", "人工智能系统必须遵守条例[1]。", "amount"),
        (
            "What is the web address of the feedback platform?",
            "Feedback is collected on digital platforms [1].",
            "web address",
        ),
        ("网上意见平台的网址是什么？", "市民可透过数码平台表达意见[1]。", "web address"),
        # the figure must be given for the thing counted, in one sentence
        (
            "How many private-sector jobs will be lost?",
            "Some jobs may shrink [1]. Three sectors will change [2].",
            "a figure for privat sector job",
        ),
        # every word of what is counted: the civil service figure does not answer for the private sector
        (
            "How many private-sector jobs will be lost?",
            "About 10,000 civil service jobs will go [1].",
            "a figure for privat sector job",
        ),
        ("How many petaflops did the centre launch with?", "It launched with 3,000 petaflops [1].", ""),
        ("How much computing power does the centre have?", "Its capacity is 3,000 petaflops [1].", ""),
        ("數據中心每年耗電量大概有幾多？", "用地面積為10公頃[1]。", "a figure for 耗电量"),
        ("有幾多個職位會被削減？", "政府計劃削減約10,000個職位[1]。", ""),
        ("話有60幾間機構做咗審查，有冇講結果？", "超過60間機構已接受合規審查[1]。", ""),  # 60幾: sixty-odd
        ("撥款折合US dollar約多少？", "約18億美元[1]。", ""),
        (
            "鼓励大学跟企业合作的那笔钱一共有多少？",
            "100亿港元用于鼓励大学与业界合作[1]。",
            "",
        ),  # the English word may be answered in Chinese
        # how to apply and what is required: a sentence saying it is not given holds neither
        (
            "How do we apply for the grant, and what documents do we need?",
            "SMEs may get adoption grants [1]. Public reporting does not give application procedures [1].",
            "procedure",
        ),
        ("點樣申請中小企應用資助？", "申請前請參閱計劃的正式資料[1]。", ""),
        ("申請TechTAS需要甚麼學歷？", "計劃吸引海外人工智能專家[1]。", "eligibility"),
        ("申請資格應該以咩為準？", "申請資格及截止日期應以正式規則為準[1]。", ""),
        ("人工智能投資稅務抵免會在哪個課稅年度開始生效？", "政府建議推出稅務抵免[1]。", "date"),
        # a named university or company: the category word alone names none
        (
            "Which universities does the institute work with?",
            "It works with local universities and Cyberport [1].",
            "university",
        ),
        ("合作的本地大學係邊幾間？", "研發院與本地大學及數碼港合作[1]。", "university"),
        ("Which universities take part?", "The University of Hong Kong takes part [1].", ""),
        ("Which company supplied the chips?", "The centre at Cyberport opened in 2024 [1].", "company"),
        ("超算中心用哪家厂商的GPU？", "超算中心算力为3,000 petaflops[1]。", "company"),
        # one thing against another needs a comparison in the documents; a change over time is no such question
        (
            "Is the Cyberport supercomputer more powerful than Singapore's?",
            "It launched with 3,000 petaflops [1].",
            "comparison",
        ),
        ("稅務寬減同加速折舊邊樣慳得多啲？", "税務寬減減少税款；加速折舊令成本較快攤銷[1]。", ""),
        ("数码港超算跟深圳的超算比起来哪个更强？", "算力为3,000 petaflops[1]。", "comparison"),
        # which sectors, who sits on a committee, how often, where to sign up, how people are picked
        ("Which sectors are the robots used in?", "They are changing a number of sectors [1].", "sector"),
        ("Which sectors will benefit?", "Healthcare and transport will benefit [1].", ""),
        (
            "Who sits on the governance committee?",
            "Organisations set up committees to oversee data use [1].",
            "membership",
        ),
        ("这个委员会应该由哪些人组成？", "机构应成立委员会监察数据使用[1]。", "membership"),
        ("How often do the committees meet?", "Risk assessments are done on an ongoing basis [1].", "frequency"),
        ("where do i sign up for an AI literacy class", "AI literacy is promoted [1].", "procedure"),
        ("How are staff picked for retraining?", "Retraining programmes will be offered [1].", "eligibility"),
        ("首批服務係邊幾個政府部門負責？", "各部門可循序漸進地更新運作[1]。", "organisation"),
        ("On what date was the centre opened?", "The centre marks a milestone [1].", "date"),
        ("啲專用區域會揀喺邊區？", "擴展將依靠具備可靠電力的專用區域[1]。", "location"),
        (
            "Where is the AI Supercomputing Centre located?",
            "The centre at Cyberport launched with 3,000 petaflops [1].",
            "",
        ),
        ("Where will the data centres be built?", "They are planned on a 10-hectare site [1].", "location"),
        ("Why freeze our pay, and where would the money go?", "The money goes to AI initiatives [1].", ""),
        (
            "How many civil servants have been retrained so far?",
            "Retraining will be offered to 10,000 staff [1].",
            "progress",
        ),
        (
            "How many organisations have been checked so far?",
            "Over 60 organisations have already been checked [1].",
            "",
        ),
        (
            "到目前為止，已有多少項公共服務實際應用了人工智能？",
            "2027年將有超過200項公共服務應用人工智能[1]。",
            "progress",
        ),
        (
            "By how much will it grow compared with when it opened?",
            "It opened with 3,000 petaflops and will reach 15,000 [1].",
            "",
        ),
        # "a dozen or so staff" describes the asker's firm; it asks for no count
        ("我开了一家十几个人的小公司，政府有没有补贴？", "政府建议推出中小企应用资助[1]。", ""),
        ("我間公司得二十幾個人，有冇資助？", "政府建議推出中小企應用資助[1]。", ""),
        # the year asked and the thing counted go together: 2030 is the centre's year, 200 services the 2027 figure
        (
            "How many public services will use AI by 2030?",
            "AI will reach over 200 public services by 2027 [1]. By 2030 the centre will reach 15,000 petaflops [1].",
            "a figure for public servic in 2030",
        ),
        (
            "到2030年，香港会有多少项公共服务使用人工智能？",
            "2027年：全面推行至超过200项公共服务；2030年或之前：超算中心算力提升至15,000 petaflops[1]。",
            "a figure for 公共服务 in 2030",
        ),
        ("How many public services will use AI by 2027?", "AI will reach over 200 public services by 2027 [1].", ""),
        # a clause opening with "when" asks no date; 这几个 are "these few", not a count;
        # a supplier is no "which company"
        ("When people have given their views on AI, what worried them most?", "Residents raised privacy [1].", ""),
        ("重点押在哪几个行业上？为什么偏偏选这几个？", "重点是金融、医疗及物流[1]。", ""),
        ("政府會唔會資助本地供應商？", "政府建議推出中小企應用資助[1]。", ""),
        ("超算中心用邊間供應商嘅晶片？", "中心已經啟用，算力為3,000 petaflops[1]。", "company"),
        (
            "Of the 60 organisations checked, how many are government departments?",
            "Over 60 organisations have been checked [1].",
            "count",
        ),  # the question's own 60 is no answer
        (
            "Out of the 200-plus services, how many will be in the first batch?",
            "The first solutions go live by mid-2026, and over 200 services by 2027 [1].",
            "count",
        ),
        ("How many jobs will go by 2027?", "About 10,000 jobs will go by April 2027 [1].", ""),
        ("嗰60幾間做咗合規審查嘅機構，有冇邊間唔合格？", "超過60間機構已接受合規審查[1]。", "organisation"),
        (
            "研发院目前有多少研究人员？",
            "研发院把人工智能由研究阶段推展至应用，获10亿港元[1]。",
            "a figure for 研究 人员",
        ),
        ("慳落嚟啲錢又會用喺邊度？", "節省的款項調撥至人工智能相關措施[1]。", ""),  # spent on what, not where
        ("How many are expected to lose their jobs?", "About 10,000 posts will go [1].", ""),
        # "one of the priorities" counts nothing; "name some of them" asks for names
        (
            "How many residents have taken part in the surveys so far?",
            "Privacy is one of the priorities residents have raised so far [1].",
            "count",
        ),
        (
            "Over 60 organisations were checked. Can you name some of them?",
            "Over 60 organisations have undergone checks [1].",
            "organisation",
        ),
        # 研發院 is one word (jieba alone reads 研發 / 院分), so the figure for it is found
        ("咁研發院分到幾多？", "撥予研發院的10億港元最直接針對研究工作[1]。", ""),
        # 份 counts too; "the biggest share" compares
        ("问卷调查一共收到了多少份回复？", "市民可透过问卷调查表达意见[1]。", "count"),
        (
            "Which part gets the biggest share, and how does that compare with the subsidy scheme?",
            "The biggest share, HK$10 billion, goes to universities and industry; the scheme gets HK$3 billion [1].",
            "",
        ),
        # the month asked for, not a year; how long something lasts, as a length of time or the date it runs to
        (
            "数码港超算中心是哪年哪月正式启用的？",
            "中心启用时算力为3,000 petaflops，计划在2030年或之前扩展[1]。",
            "month",
        ),
        ("Which month will the first services launch?", "They are expected by mid-2026 [1].", ""),
        ("公务员再培训计划一般要培训多长时间？", "政府会提供再培训计划，协助公务员转投新岗位[1]。", "duration"),
        ("How long does the subsidy scheme run?", "It runs for three years [1].", ""),
        ("How long will it take to expand the centre?", "It is to reach 15,000 petaflops by 2030 [1].", ""),
        # the number stands with the thing counted in English ("three priorities" counts no services); a Chinese
        # thing counted is its whole noun phrase (市民回复, not 市民); a share is the rate's business
        (
            "Of the 200-plus public services, how many are healthcare services?",
            "AI will reach over 200 public services "
            "[1]. Three priorities stand out: healthcare services, transport and privacy [2].",
            "a figure for healthcar servic",
        ),
        (
            "问卷调查一共收到了多少份市民回复？",
            "政府要加快回应市民，200项公共服务会应用人工智能[1]。",
            "a figure for 市民 回复",
        ),
        ("公务员裁员占整个队伍多少比例？", "裁员约占公务员队伍5%[1]。", ""),
        (
            "How many times bigger than at launch will it be?",
            "Scale of planned growth: five times the launch capacity [1].",
            "",
        ),
        # "the target" is whatever figure was set, not a thing to count
        ("咁2030年嘅目標係幾多？", "算力計劃在2030年或之前提升至15,000 petaflops[1]。", ""),
        # a year before the thing counted is the year's business (jieba reads 2030年算力 as 年算力), and colloquial
        # currency names are the documents' ones (美金 is 美元)
        ("数码港的超算中心计划到2030年算力要达到多少？", "计划在2030年或之前把算力提升至15,000 petaflops[1]。", ""),
        (
            "数码港的超算中心计划到2030年算力要达到多少？",
            "2030年或之前会建成数据中心群[1]。",
            "a figure for 算力 in 2030",
        ),
        ("140億港紙即係大約幾多美金", "香港已預留140億港元（約18億美元）發展人工智能[1]。", ""),
        ("140億港紙即係大約幾多美金", "香港已預留140億港元發展人工智能[1]。", "a figure for 美元"),
        # 几年内 asks a length of time; 需要什么条件 the requirements
        ("设备可以在几年内折旧完？", "加速折旧：设备成本可以较快摊销[1]。", "duration"),
        ("低保户能不能领？需要什么条件？", "可负担：有需要时提供免费或资助的工具[1]。", "eligibility"),
        # a charge per hour of use, a means test, submitting a proposal, the day itself, each one's share, energy used
        (
            "What would a university pay per hour to use the supercomputer?",
            "It opened with 3,000 petaflops [1].",
            "amount",
        ),
        (
            "Is there an income limit for the free AI tools?",
            "Tools are free or subsidised where needed [1].",
            "eligibility",
        ),
        (
            "How would I submit a research proposal to the institute?",
            "The institute has HK$1 billion [1].",
            "procedure",
        ),
        ("超算中心係邊一日開幕？", "中心計劃在2030年或之前擴展至15,000 petaflops[1]。", "day"),
        ("Which day is the meeting?", "The meeting is on 3 March [1].", ""),
        ("每間大學可以分到幾多？", "其中100億港元用於鼓勵大學與業界合作[1]。", "share"),
        ("How much does each applicant get?", "Each applicant may receive up to a fixed sum [1].", ""),
        ("How much electricity does the supercomputer use?", "It opened with 3,000 petaflops [1].", "energy"),
        # a comparison with a place the answer says nothing of; a comparison over time needs no place
        (
            "Is the centre more powerful than Singapore's?",
            "It will have five times its launch capacity [1].",
            "a comparison with Singapore",
        ),
        ("跟深圳的超算比哪个更强？", "算力将是启用时的五倍[1]。", "a comparison with 深圳"),
        ("Will it be bigger than when it opened?", "It will be five times bigger than at launch [1].", ""),
        # which services: an answer naming none, or giving examples
        ("哪几项公共服务会最先用上？", "首批方案预计在2026年年中或之前推出[1]。", "services"),
        ("Which services get AI first?", "The first ones include services such as licensing [1].", ""),
        # what it needs: 具備 states requirements
        ("除了电脑还需要什么条件？", "扩展需要依靠专用区域，并具备稳定的电力供应[1]。", ""),
        # yes/no on a detail: free, capped, delayed or changed, all passed, a language, visits, a group spared,
        # full cover
        ("Is it free for students to use the centre?", "The centre opened with 3,000 petaflops [1].", "free"),
        ("Are the tools free for older people?", "Tools are free or subsidised where needed [1].", ""),
        ("每年有冇配額上限？", "政府正擴展科技人才入境計劃[1]。", "limit"),
        ("首批方案係咪已經延遲咗？", "首批方案預計在2026年年中或之前推出[1]。", "status"),
        (
            "Did every organisation checked pass?",
            "Over 60 organisations have undergone compliance checks [1].",
            "outcome",
        ),
        ("这些服务会提供普通话版本吗？", "超过200项公共服务会应用人工智能[1]。", "language"),
        ("市民可唔可以入去參觀？", "中心啟用時算力為3,000 petaflops[1]。", "visit"),
        ("Are the police exempt from the cuts?", "About 10,000 posts will go, mainly support roles [1].", "exemption"),
        ("电费补贴是不是全额补贴？", "电费补贴：为耗电量大的设施降低电力成本[1]。", "rate"),
        (
            "Do I need to be a permanent resident to get them?",
            "Tools are free or subsidised where needed [1].",
            "eligibility",
        ),
        # a salary, an address, the holder of a post; something named in quotes, either side of an either-or, what a
        # yes/no question asks to be covered or where it asks something to be built: the answer has to name it
        (
            "Is there a minimum salary an AI expert must be offered?",
            "TechTAS attracts AI experts; HK$1 billion goes to the institute [1].",
            "salary",
        ),
        ("Will civil servants' pay be frozen?", "A pay freeze is proposed for 2025-26 [1].", ""),
        ("研發院有冇地址？", "研發院與本地大學及數碼港緊密合作[1]。", "address"),
        ("What is the institute's address?", "It is at 100 Cyberport Road [1].", ""),
        ("數字政策辦公室嘅專員叫咩名？", "數字政策辦公室是負責數字政策的政府辦公室[1]。", "person"),
        (
            "香港的“高才通”计划对AI人才有什么优惠？",
            "扩展科技人才入境计划，吸引海外人工智能专家[1]。",
            "the name 高才通",
        ),
        (
            "What does “TechTAS” stand for?",
            "The Technology Talent Admission Scheme (TechTAS) is being expanded [1].",
            "",
        ),
        ("超算中心用的是英伟达还是华为的芯片？", "超算中心启用时算力为3,000 petaflops[1]。", "either 伟达 or 华为"),
        ("超算中心设在数码港还是科学园？", "超算中心设在数码港[1]。", ""),
        ("公務員凍薪係咪連紀律部隊都包埋？", "政府建議公務員在2025-26年度凍薪[1]。", "whether it covers 紀律部隊"),
        ("首批方案有没有用于海关通关的？", "首批方案以金融、医疗及物流最受重视[1]。", "whether it covers 海关通关"),
        ("首批方案有没有用于医疗的？", "首批方案以金融、医疗及物流最受重视[1]。", ""),
        (
            "Does the subsidy scheme pay for staff training costs?",
            "The scheme has HK$3 billion [1].",
            "whether it covers staff training costs",
        ),
        (
            "數據中心群係咪會起喺北部都會區？",
            "政府構想在一幅10公頃的用地上建設數據中心羣[1]。",
            "whether it covers 北部都會區",
        ),
        (
            "嗰幅用地係咪喺北部都會區？",
            "政府構想在一幅10公頃的用地上建設數據中心羣[1]。",
            "whether it covers 北部都會區",
        ),
        (
            "Does the 2025-26 pay freeze also apply to police officers and other disciplined services?",
            "A pay freeze for civil servants is proposed for 2025-26 [1].",
            "whether it covers police officers and other disciplined services",
        ),
        # what is asked is in the sentences that ask: "cost" in what the asker says of themselves asks for no amount,
        # "in charge of" asks for no charge, and a list of named services answers "which services"
        (
            "The start-up cost scares me. Is anything planned for small firms?",
            "Adoption grants for SMEs are proposed [1].",
            "",
        ),
        ("How much does it cost to use?", "Adoption grants for SMEs are proposed [1].", "amount"),
        ("What will the build cost?", "Adoption grants for SMEs are proposed [1].", "amount"),
        (
            "Is anything proposed to help me cover the cost of starting to use AI?",
            "Adoption grants for SMEs are proposed [1].",
            "",
        ),
        ("Which office is in charge of the institute?", "The Digital Policy Office oversees the institute [1].", ""),
        (
            "The tools are meant to improve which kinds of services?",
            "Free tools to improve healthcare, education and financial services [1].",
            "",
        ),
        ("啲工具係用嚟改善邊啲服務？", "免費工具用於改善醫療、教育及金融服務[1]。", ""),
        ("When is the next public forum, and where?", "Public forums are being held by 2027 [1].", "day"),
        ("When is the next public forum?", "The next public forum is on 12 March 2027 [1].", ""),
        ("下一場論壇幾時舉行？", "政府會在2027年前舉辦公眾論壇[1]。", "day"),
        (
            "Who has been appointed to run the new institute?",
            "The institute is overseen by the Digital Policy Office [1].",
            "person",
        ),
        (
            "who is in charge of the digital policy office, like the name of the person at the top",
            "The Digital Policy Office oversees the institute [1].",
            "person",
        ),
        ("數字政策辦公室最高話事人叫咩名？", "數字政策辦公室是負責數字政策的政府辦公室[1]。", "person"),
        ("What is the name of the scheme for SMEs?", "The proposed adoption grants help SMEs [1].", ""),
        # 嗰陣 is "at that time": the figure asked for is the computing power, not "陣算力"
        ("超算中心啟用嗰陣算力有幾多？", "數碼港人工智能超算中心已經啟用，算力為3,000 petaflops [1]。", ""),
        ("課程可以在何處報名？", "政府會提供再培訓計劃[1]。", "procedure"),
        ("課程可以在何處報名？", "合資格人員可透過部門申請參加再培訓計劃[1]。", ""),
        ("他需要带什么证件？", "计划提供免费或资助的人工智能工具[1]。", "procedure"),
        ("What documents should my mother bring?", "Free or subsidised AI tools are offered [1].", "procedure"),
        (
            "Which is bigger: the pay freeze savings, or the HK$3 billion scheme?",
            "The scheme has HK$3 billion [1].",
            "comparison",
        ),
        ("香港的人工智能发展在亚洲排第几？", "为香港的人工智能发展增添大规模运算能力[1]。", "rank"),
        ("Where does Hong Kong rank in Asia?", "Hong Kong ranked third in Asia [1].", ""),
        ("被裁的公务员参加再培训期间还有工资吗？", "政府会提供再培训计划[1]。", "salary"),
        ("有冇人工智能課程？", "政府會提供再培訓計劃[1]。", ""),
        ("whats the closing date for applications", "The scheme has HK$3 billion [1].", "date"),
        ("what's the most one company could get out of it?", "The scheme has HK$3 billion [1].", "limit"),
        ("when and where is the next public forum?", "The first AI solutions go live by mid-2026 [1].", "location"),
        # a list item, not the whole list, has to give the figure for the year asked
        (
            "How many services will use AI by 2030?",
            "2027: AI in over 200 public services; By 2030: the centre reaches 15,000 petaflops [1].",
            "a figure for servic in 2030",
        ),
    ],
)
def test_missing_detail(question: str, answer: str, missing: str) -> None:
    assert missing_detail(question, answer) == missing


@pytest.mark.parametrize(
    "sentence, gap",
    [
        ("Public reporting does not give eligibility rules.", True),
        ("Eligibility, application process: Not stated in public reporting.", True),
        ("No dates have been reported for these items.", True),
        ("公開報道並未說明申請資格。", True),
        ("公開報道並未説明申請資格。", True),  # 説: the Hong Kong form the answer is written in
        ("公开报道并未说明申请资格。", True),
        ("申請資格: 公開報道未有提及。", True),
        ("Public reporting describes the launch as recent but gives no date.", True),
        ("No amounts are reported for these measures.", True),
        ("公開報道沒有列出問卷調查日期，因此本頁不作提供。", True),
        ("HK$3 billion goes to a three-year AI Subsidy Scheme.", False),
        ("The data is not shared without consent.", False),
    ],
)
def test_declares_gap(sentence: str, gap: bool) -> None:
    assert declares_gap(sentence) == gap


@pytest.mark.parametrize(
    "question, passages, refuse",
    [
        (
            "What are the eligibility rules of the AI Subsidy Scheme?",
            ["HK$3 billion goes to the AI Subsidy Scheme.", "Public reporting does not give eligibility rules."],
            True,
        ),
        (
            "What is the AI Subsidy Scheme?",
            ["HK$3 billion goes to the AI Subsidy Scheme.", "Public reporting does not give eligibility rules."],
            False,
        ),
        ("人工智能资助计划要怎样申请？", ["公开报道并未说明申请资格及申请程序。"], True),
        ("人工智能资助计划有多少拨款？", ["计划获拨款30亿港元。公开报道并未说明申请资格。"], False),
        ("How much is the AI Subsidy Scheme?", ["The scheme has HK$3 billion."], False),
        # the passages speak of the timeline elsewhere: saying it has no dates does not make the question unanswerable
        (
            "What is the first item on the AI timeline?",
            [
                "The timeline starts with a pay freeze.",
                "No dates have been reported, so this timeline does not give any.",
            ],
            False,
        ),
    ],
)
def test_what_the_passages_mention_only_to_say_it_is_not_given(
    question: str, passages: list[str], refuse: bool
) -> None:
    assert bool(passages_not_giving(question, passages)) == refuse


def test_an_answer_made_only_of_gaps_is_no_answer() -> None:
    assert only_gaps("Public reporting does not give eligibility rules [1]. No dates have been reported [2].")
    assert not only_gaps("HK$3 billion goes to the scheme [1]. Public reporting does not give eligibility rules [2].")


def test_passages_that_say_they_do_not_give_what_is_asked_are_found() -> None:
    passages = [
        "The centre has 3,000 petaflops. Incentives include tax breaks and subsidised electricity.",
        "The reporting does not state the rates or amounts of these incentives.",
        "Subsidised electricity lowers the running costs of data centres.",
    ]
    assert passages_not_giving("What is the rate of the electricity subsidy?", passages) == [2]
    assert passages_not_giving("What incentives are there for AI hardware?", passages) == []
    assert passages_not_giving(
        "電費補貼的比率是多少？", ["鼓勵措施包括電費補貼。", "公開報道並未提及有關比率或金額。"]
    ) == [2]


SITE_SUMMARY = (
    "Summary: What: an AI research hub with data centres; Size: a 10-hectare site; Status: a plan; "
    "public reporting does not give a location, a budget or a completion date [2]."
)


@pytest.mark.parametrize(
    "question, answer, markers",
    [
        # the 2030 date is another plan's: the documents say they give no completion date for this one
        (
            "Where will the data centre cluster be built, and when will it be finished?",
            f"The centre will reach 15,000 petaflops by 2030 [1]. {SITE_SUMMARY}",
            [2],
        ),
        (
            "那個數據中心群會建在哪一區？預計何年落成？",
            "超算中心計劃在2030年或之前擴展 [1]。"
            "摘要：面積：一幅10公頃的用地；公開報道並未提及選址、預算或完成日期 [2]。",
            [2],
        ),
        # what it says is missing is not what was asked
        ("How large is the site for the data centre cluster?", f"It is a 10-hectare site [1]. {SITE_SUMMARY}", []),
        (
            "How much is the AI Subsidy Scheme?",
            "Funding: HK$3 billion; Eligibility, subsidy levels: Not stated in public reporting [1].",
            [],
        ),
    ],
)
def test_a_gap_naming_what_is_asked_is_found(question: str, answer: str, markers: list[int]) -> None:
    assert gaps_naming_asked(question, answer) == markers


def test_saying_one_has_no_idea_asks_nothing_the_documents_leave_out() -> None:
    passages = [
        "A petaflop is a thousand million million operations a second.",
        "Public reporting describes the launch as recent but gives no date.",
    ]
    assert passages_not_giving("what is a petaflop? I have no idea what it means", passages) == []


def test_the_parts_of_a_question_the_documents_do_not_give_are_found() -> None:
    passages = [
        "The fund helps early AI projects prove they work.",
        "Public reporting does not give rates, amounts, eligibility rules or application dates.",
    ]
    assert parts_not_given("What is the fund for? What are its eligibility rules?", passages) == [
        (2, "Public reporting does not give rates, amounts, eligibility rules or application dates.")
    ]
    # one question, or every part unanswered: that is a refusal, not a partial answer
    assert parts_not_given("What are the fund's eligibility rules?", passages) == []
    assert parts_not_given("What are its eligibility rules? What are its rates?", passages) == []
