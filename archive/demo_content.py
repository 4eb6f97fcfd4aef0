# ruff: noqa: E501  (real text: long lines read better than split sentences)
"""
The demo archive: the real CSTO text of `shared/seed/`, curated by hand.

Facts are kept as the seed gives them; nothing here is invented news. Titles
of the teasers (which the seed gives without one) are their first sentence,
shortened. `seed_demo` loads this; every record is keyed by its slug, so
loading twice changes nothing.
"""

import datetime

SECTIONS = [
    # slug, name, parent slug, position, description, Russian name, Russian description
    ("csto-news", "News", None, 10, "News of the CSTO Secretariat and statutory bodies.", "Новости", "Новости Секретариата и уставных органов ОДКБ."),
    ("csc-sessions", "CSC sessions", "csto-news", 15, "Sessions of the Collective Security Council.", "Сессии СКБ", "Сессии Совета коллективной безопасности."),
    ("speeches", "Speeches", None, 20, "Speeches of the CSTO Secretary General.", "Выступления", "Выступления Генерального секретаря ОДКБ."),
    ("interviews", "Interviews", None, 30, "Interviews of the CSTO Secretary General.", "Интервью", "Интервью Генерального секретаря ОДКБ."),
    ("media", "Media about us", None, 40, "What the media write about the CSTO.", "СМИ о нас", "Что пишут об ОДКБ средства массовой информации."),
    ("announcements", "Announcements", None, 50, "Announcements of coming events.", "Анонсы", "Анонсы предстоящих мероприятий."),
]  # fmt: skip

PERSONS = [
    # slug, name, position, Russian name, Russian position
    ("imangali-tasmagambetov", "Imangali Tasmagambetov", "CSTO Secretary General", "Имангали Тасмагамбетов", "Генеральный секретарь ОДКБ"),
    ("stanislav-zas", "Stanislav Zas", "CSTO Secretary General", "Станислав Зась", "Генеральный секретарь ОДКБ"),
    ("sergey-lavrov", "Sergey Lavrov", "Minister of Foreign Affairs of the Russian Federation", "Сергей Лавров", "Министр иностранных дел Российской Федерации"),
    ("vladimir-zaynetdinov", "Vladimir Zaynetdinov", "CSTO Press Secretary", "Владимир Зайнетдинов", "Пресс-секретарь ОДКБ"),
]  # fmt: skip

BODIES = [
    # slug, name, acronym, Russian name
    ("collective-security-council", "Collective Security Council", "CSC", "Совет коллективной безопасности"),
    ("council-of-foreign-ministers", "Council of Foreign Ministers", "CFM", "Совет министров иностранных дел"),
    ("council-of-defence-ministers", "Council of Defence Ministers", "CDM", "Совет министров обороны"),
    ("committee-of-secretaries-of-security-councils", "Committee of Secretaries of Security Councils", "CSSC", "Комитет секретарей советов безопасности"),
    ("secretariat", "CSTO Secretariat", "", "Секретариат ОДКБ"),
    ("crisis-response-center", "CSTO Crisis Response Center", "", "Кризисный центр ОДКБ"),
]  # fmt: skip

TOPICS = [
    # slug, name, Russian name
    ("covid-19", "COVID-19", "COVID-19"),
    ("un-cooperation", "UN cooperation", "Сотрудничество с ООН"),
    ("peacekeeping", "Peacekeeping", "Миротворчество"),
    ("cis-and-sco", "Cooperation with the CIS and the SCO", "Сотрудничество с СНГ и ШОС"),
    ("international-security", "International and regional security", "Международная и региональная безопасность"),
    ("education", "Education and youth", "Образование и молодёжь"),
]  # fmt: skip

CFM_2020_BODY = """\
On May 26, 2020, a regular meeting of the Council of Ministers of Foreign Affairs of the Collective Security Treaty Organization was held in a video conference, chaired by the Minister of Foreign Affairs of the Russian Federation Sergey Lavrov. For the first time, the CSTO Crisis Response Center was involved in the Ministerial Council. The meeting was attended by CSTO Secretary General Stanislav Zas.

The Ministers thoroughly discussed the state and prospects for the development of the international and regional situation and its impact on the security of the Organization’s member states with a focus on CSTO peacekeeping and the development prospects of the CSTO Partnering and Observing institutions.

Considering the situation with the spread of coronavirus infection in the world, an exchange of views took place regarding possible threats associated with the pandemic.

The CSTO Secretary General said that despite the obvious need to consolidate international efforts to overcome the unprecedented challenge of the coronavirus pandemic, the global situation today, unfortunately, was characterized by a further aggravation of the negative confrontational trends that dominated on the eve of its appearance. “And attempts to prevent the dismantling of the basic agreements that have ensured a balance of forces and stability on its basis in recent decades are practically blocked,” Stanislav Zas said.

Priority attention upon the discussion was also paid to the cooperation of the Collective Security Treaty Organization with the CIS and the SCO, as well as to additional opportunities for the development of interaction between them.

Draft statements were reviewed and approved on the occasion of the 75th anniversary of the Great Victory in the Great Patriotic War, on confirmation of adherence to the goals and principles of the UN Charter, on solidarity and mutual assistance in the fight against coronavirus infection (COVID-19), as well as on support for the UN Secretary General's appeal for a global ceasefire in connection with the COVID-19 pandemic.

The ministers also approved the draft Decision of the CSTO Collective Security “On the allocation of quota positions in the Collective Security Treaty Organization Secretariat” for the coming period for submission to the CSC of the Organization.

The draft Decision of the CSTO Ministerial Council “On the Plan of Consultations of Representatives of the CSTO Member States on Foreign Policy, Security and Defense for the Second Half of 2020 - the First Half of 2021” was approved.

The signing of these documents will be carried out individually.

In general, the past meeting of the CSTO Ministerial Council confirmed the closeness of the positions of the Organization’s member states on the issues of strengthening international and regional security, their readiness to increase mutual efforts to achieve these goals."""

# The Russian version of the meeting's page, as the CSTO's Russian site has it.
CFM_2020_BODY_RU = """\
26 мая 2020 года в формате видеоконференции под председательством Министра иностранных дел Российской Федерации Сергея Лаврова состоялось очередное заседание Совета министров иностранных дел Организации Договора о коллективной безопасности. Впервые к работе СМИД был подключён Кризисный центр ОДКБ. В заседании принял участие Генеральный секретарь ОДКБ Станислав Зась.

Министры обстоятельно обсудили состояние и перспективы развития международной и региональной обстановки и её влияние на безопасность государств – членов Организации с акцентом на миротворческую деятельность ОДКБ и перспективы развития институтов партнёров и наблюдателей ОДКБ.

С учётом ситуации с распространением коронавирусной инфекции в мире состоялся обмен мнениями о возможных угрозах, связанных с пандемией.

Генеральный секретарь ОДКБ отметил, что, несмотря на очевидную необходимость консолидации международных усилий для преодоления беспрецедентного вызова пандемии коронавируса, глобальная ситуация сегодня, к сожалению, характеризуется дальнейшим обострением негативных конфронтационных тенденций, доминировавших накануне её появления. «А попытки не допустить демонтажа базовых договорённостей, обеспечивавших в последние десятилетия баланс сил и стабильность на его основе, практически заблокированы», – сказал Станислав Зась.

Приоритетное внимание в ходе обсуждения было также уделено сотрудничеству Организации Договора о коллективной безопасности с СНГ и ШОС, а также дополнительным возможностям развития взаимодействия между ними.

Рассмотрены и одобрены проекты заявлений в связи с 75-летием Великой Победы в Великой Отечественной войне, о подтверждении приверженности целям и принципам Устава ООН, о солидарности и взаимопомощи в борьбе с коронавирусной инфекцией (COVID-19), а также в поддержку призыва Генерального секретаря ООН к глобальному прекращению огня в связи с пандемией COVID-19.

Министры также одобрили проект решения Совета коллективной безопасности ОДКБ «О распределении квотируемых должностей в Секретариате Организации Договора о коллективной безопасности» на предстоящий период для внесения на рассмотрение СКБ Организации.

Одобрен проект решения СМИД ОДКБ «О Плане консультаций представителей государств – членов ОДКБ по вопросам внешней политики, безопасности и обороны на второе полугодие 2020 года – первое полугодие 2021 года».

Подписание этих документов будет осуществлено в индивидуальном порядке.

В целом прошедшее заседание СМИД ОДКБ подтвердило близость позиций государств – членов Организации по вопросам укрепления международной и региональной безопасности, их готовность наращивать совместные усилия для достижения этих целей."""

UN_SPEECH_BODY = """\
Allow me to thank the Russian presidency of the United Nations Security Council for the invitation to take part in the debate on the interaction between the United Nations and regional organizations - the CSTO, the CIS and the SCO.

I highly appreciate my participation in the meeting of the main body of the World Organization responsible for maintaining global peace and international security. I am convinced that today's debate will contribute to the development of new, additional mechanisms for United Nations cooperation with the CSTO, the CIS and the SCO - the leading regional organizations operating in the Eurasian security space."""

NEWS_ITEMS = [
    {
        "slug": "cfm-video-conference-2020-05-26",
        "section": "csto-news",
        "title": "On May 26, the CSTO Council of Foreign Ministers in a video conference discussed prospects for the development of international and regional security",
        "date": datetime.date(2020, 5, 26),
        "location": "Video conference",
        # As the seed gives it, with the list items that copying glued
        # together ("Waron", "Charteron") parted again, as import_pages does.
        "lead": "Statements were approved on the occasion of the 75th anniversary of the Great Victory in the Great Patriotic War; on confirmation of adherence to the goals and principles of the UN Charter; on solidarity and mutual assistance in the fight against coronavirus infection (COVID-19), as well as on support for the UN Secretary General's appeal for a global ceasefire in connection with the COVID-19 pandemic",
        "body": CFM_2020_BODY,
        "persons": ["sergey-lavrov", "stanislav-zas"],
        "bodies": ["council-of-foreign-ministers", "crisis-response-center", "collective-security-council"],
        "topics": ["covid-19", "un-cooperation", "peacekeeping", "cis-and-sco", "international-security"],
        "media_heading": "Media about the meeting of the CSTO Council of Foreign Ministers",
        "media_links": [
            {
                # The seed gives the link, not the article's title.
                "outlet": "TASS",
                "title": "",
                "url": "https://odkb-csto.org/news/smi/tass-rossiya-predlozhila-odkb-izuchit-vopros-o-sotrudnichestve-po-biologicheskoy-bezopasnosti/",
            }
        ],
        "signature": "CSTO Press Secretary Vladimir Zaynetdinov",
    },
    {
        "slug": "secretary-general-un-security-council-debate-2024-07-19",
        "section": "csto-news",
        "title": "The CSTO Secretary General took part in the UN Security Council debate on cooperation with regional organizations",
        "date": datetime.date(2024, 7, 19),
        "location": "UN Security Council",
        "lead": "The CSTO Secretary General Imangali Tasmagambetov took part in the debate on “UN cooperation with regional organizations: the CSTO, the CIS and the SCO” held on 19 July 2024 at the UN Security Council.",
        "body": "",
        "persons": ["imangali-tasmagambetov"],
        "bodies": [],
        "topics": ["un-cooperation", "cis-and-sco"],
    },
    {
        "slug": "speech-un-security-council-debate-2024-07-19",
        "section": "speeches",
        "title": "Speech by the CSTO Secretary General Imangali Tasmagambetov at the UN Security Council debate on cooperation with regional organizations",
        "date": datetime.date(2024, 7, 19),
        "location": "UN Security Council",
        "lead": "Allow me to thank the Russian presidency of the United Nations Security Council for the invitation to take part in the debate on the interaction between the United Nations and regional organizations - the CSTO, the CIS and the SCO.",
        "body": UN_SPEECH_BODY,
        "persons": ["imangali-tasmagambetov"],
        "bodies": [],
        "topics": ["un-cooperation", "cis-and-sco"],
    },
    {
        "slug": "secretariat-meets-graduates-school-of-diplomacy-2024-07-25",
        "section": "csto-news",
        "title": "Staff of the CSTO Secretariat met with graduates of Central Asian universities taking part in the International School of Diplomacy",
        "date": datetime.date(2024, 7, 25),
        "location": "Moscow",
        "lead": "On 25 July 2024, staff of the CSTO Secretariat met with graduates of Central Asian universities in the fields of “International relations” and “Regional studies” who are participating in the International School of Diplomacy and are in Moscow at the invitation of the Autonomous Nonprofit Organization ‘National Research Institute for the Development of Communications’ and the Centre for International Strategic Studies of the Diplomatic Academy of the Russian Ministry of Foreign Affairs.",
        "body": "",
        "persons": [],
        "bodies": ["secretariat"],
        "topics": ["education"],
    },
    {
        # The seed gives this interview no date: it stays a draft until an
        # editor finds and sets one (the importer flags it the same way).
        "slug": "tasmagambetov-interview-belta",
        "section": "interviews",
        "title": "Imangali Tasmagambetov's interview with the BELTA news agency",
        "date": None,
        "location": "",
        "lead": "Imangali Tasmagambetov, the Collective Security Treaty Organization Secretary General, told BELTA news agency correspondent whether the CSTO sought to become a counterweight to NATO, the situation in the East European region of collective security, the role of Belarus in the organization, and what initiative of the President of Belarus had become important and timely for the CSTO.",
        "body": "",
        "persons": ["imangali-tasmagambetov"],
        "bodies": [],
        "topics": ["international-security"],
    },
]  # fmt: skip

CFM_2020 = "cfm-video-conference-2020-05-26"
CFM_2020_RU = "smid-odkb-videokonferentsiya-2020-05-26"

# Russian versions of English items: each is the translation of the item named
# by "translation_of", and both then link to each other.
NEWS_ITEMS_RU = [
    {
        "slug": CFM_2020_RU,
        "translation_of": CFM_2020,
        "section": "csto-news",
        "title": "26 мая в формате видеоконференции Совет министров иностранных дел ОДКБ обсудил перспективы развития международной и региональной безопасности",
        "date": datetime.date(2020, 5, 26),
        "location": "Видеоконференция",
        "lead": "Приняты заявления в связи с 75-летием Великой Победы в Великой Отечественной войне; о подтверждении приверженности целям и принципам Устава ООН; о солидарности и взаимопомощи в борьбе с коронавирусной инфекцией (COVID-19), а также в поддержку призыва Генерального секретаря ООН к глобальному прекращению огня в связи с пандемией COVID-19",
        "body": CFM_2020_BODY_RU,
        "persons": ["sergey-lavrov", "stanislav-zas"],
        "bodies": ["council-of-foreign-ministers", "crisis-response-center", "collective-security-council"],
        "topics": ["covid-19", "un-cooperation", "peacekeeping", "cis-and-sco", "international-security"],
        "media_heading": "СМИ о заседании Совета министров иностранных дел ОДКБ",
        "media_links": [
            {
                "outlet": "ТАСС",
                "title": "",
                "url": "https://odkb-csto.org/news/smi/tass-rossiya-predlozhila-odkb-izuchit-vopros-o-sotrudnichestve-po-biologicheskoy-bezopasnosti/",
            }
        ],
        "signature": "Пресс-секретарь ОДКБ Владимир Зайнетдинов",
    },
]  # fmt: skip

STATEMENTS = [
    {
        "slug": "cfm-statement-75th-anniversary-great-victory",
        "kind": "statement",
        "title": "Statement on the occasion of the 75th anniversary of the Great Victory in the Great Patriotic War",
        "topics": [],
    },
    {
        "slug": "cfm-statement-un-charter-goals-and-principles",
        "kind": "statement",
        "title": "Statement on confirmation of adherence to the goals and principles of the UN Charter",
        "topics": ["un-cooperation"],
    },
    {
        "slug": "cfm-statement-solidarity-fight-against-covid-19",
        "kind": "statement",
        "title": "Statement on solidarity and mutual assistance in the fight against coronavirus infection (COVID-19)",
        "topics": ["covid-19"],
    },
    {
        "slug": "cfm-statement-support-un-global-ceasefire-appeal",
        "kind": "statement",
        "title": "Statement on support for the UN Secretary General's appeal for a global ceasefire in connection with the COVID-19 pandemic",
        "topics": ["covid-19", "un-cooperation"],
    },
    {
        "slug": "draft-decision-csc-quota-positions-secretariat",
        "kind": "decision",
        "title": "Draft Decision of the CSTO Collective Security Council “On the allocation of quota positions in the Collective Security Treaty Organization Secretariat”",
        "text": "The Council of Foreign Ministers approved the draft Decision “On the allocation of quota positions in the Collective Security Treaty Organization Secretariat” for the coming period for submission to the CSC of the Organization.",
        "topics": [],
    },
    {
        "slug": "decision-cfm-plan-of-consultations-2020-2021",
        "kind": "decision",
        "title": "Decision of the CSTO Ministerial Council “On the Plan of Consultations of Representatives of the CSTO Member States on Foreign Policy, Security and Defense for the Second Half of 2020 - the First Half of 2021”",
        "text": "The draft Decision of the CSTO Ministerial Council “On the Plan of Consultations of Representatives of the CSTO Member States on Foreign Policy, Security and Defense for the Second Half of 2020 - the First Half of 2021” was approved by the Council of Foreign Ministers on 26 May 2020. The signing of these documents will be carried out individually.",
        "topics": [],
    },
]  # fmt: skip
# The same six documents on the CSTO's Russian site, each with the slug of its
# English version in "translation_of".
STATEMENTS_RU = [
    {
        "slug": "zayavlenie-smid-75-letie-velikoy-pobedy",
        "translation_of": "cfm-statement-75th-anniversary-great-victory",
        "kind": "statement",
        "title": "Заявление министров иностранных дел государств – членов ОДКБ в связи с 75-летием Великой Победы в Великой Отечественной войне",
        "topics": [],
    },
    {
        "slug": "zayavlenie-smid-tseli-i-printsipy-ustava-oon",
        "translation_of": "cfm-statement-un-charter-goals-and-principles",
        "kind": "statement",
        "title": "Заявление министров иностранных дел государств – членов ОДКБ о подтверждении приверженности целям и принципам Устава ООН",
        "topics": ["un-cooperation"],
    },
    {
        "slug": "zayavlenie-smid-solidarnost-borba-s-covid-19",
        "translation_of": "cfm-statement-solidarity-fight-against-covid-19",
        "kind": "statement",
        "title": "Заявление министров иностранных дел государств – членов ОДКБ о солидарности и взаимопомощи в борьбе с коронавирусной инфекцией (COVID-19)",
        "topics": ["covid-19"],
    },
    {
        "slug": "zayavlenie-smid-prizyv-genseka-oon-k-prekrashcheniyu-ognya",
        "translation_of": "cfm-statement-support-un-global-ceasefire-appeal",
        "kind": "statement",
        "title": "Заявление министров иностранных дел государств – членов ОДКБ в поддержку призыва Генерального секретаря ООН к глобальному прекращению огня в связи с пандемией COVID-19",
        "topics": ["covid-19", "un-cooperation"],
    },
    {
        "slug": "proekt-resheniya-skb-kvotiruemye-dolzhnosti-sekretariata",
        "translation_of": "draft-decision-csc-quota-positions-secretariat",
        "kind": "decision",
        "title": "Проект решения Совета коллективной безопасности ОДКБ «О распределении квотируемых должностей в Секретариате Организации Договора о коллективной безопасности»",
        "text": "Совет министров иностранных дел одобрил проект решения «О распределении квотируемых должностей в Секретариате Организации Договора о коллективной безопасности» на предстоящий период для внесения на рассмотрение СКБ Организации.",
        "topics": [],
    },
    {
        "slug": "reshenie-smid-plan-konsultatsiy-2020-2021",
        "translation_of": "decision-cfm-plan-of-consultations-2020-2021",
        "kind": "decision",
        "title": "Решение Совета министров иностранных дел ОДКБ «О Плане консультаций представителей государств – членов ОДКБ по вопросам внешней политики, безопасности и обороны на второе полугодие 2020 года – первое полугодие 2021 года»",
        "text": "Проект решения СМИД ОДКБ «О Плане консультаций представителей государств – членов ОДКБ по вопросам внешней политики, безопасности и обороны на второе полугодие 2020 года – первое полугодие 2021 года» одобрен Советом министров иностранных дел 26 мая 2020 года. Подписание этих документов будет осуществлено в индивидуальном порядке.",
        "topics": [],
    },
]  # fmt: skip
STATEMENTS_BODY = "council-of-foreign-ministers"
STATEMENTS_DATE = datetime.date(2020, 5, 26)
STATEMENT_TEXT = (
    "Approved by the CSTO Council of Foreign Ministers at its meeting held in a video "
    "conference on 26 May 2020."
)
STATEMENT_TEXT_RU = (
    "Одобрено Советом министров иностранных дел ОДКБ на заседании, состоявшемся "
    "в формате видеоконференции 26 мая 2020 года."
)

# Drawings of what the items are about (archive/demo_media.py), not photos of
# the events. item slug -> (alt text, caption, drawing, role)
DRAWING_CREDIT = "Drawing for the demo archive"
MAP_CREDIT = "Drawing for the demo archive; outlines: Natural Earth (public domain)"
# What older demo databases carry: seed_demo replaces these with the drawings.
ILLUSTRATION_CREDIT = "Generated illustration for the demo archive"
IMAGES = [
    (CFM_2020, "The ministers of the six member states and the CSTO Secretariat on a video conference screen", "Council of Foreign Ministers by video conference, 26 May 2020 (drawing)", "video_conference", "cover"),
    (CFM_2020, "The flags of Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan side by side", "The flags of the six member states (drawing)", "flags", "gallery"),
    (CFM_2020, "A map of the CSTO member states: Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan", "The CSTO member states (drawing)", "member_states_map", "gallery"),
    ("secretary-general-un-security-council-debate-2024-07-19", "A map of the CSTO member states, whose organization the Secretary General represented", "The CSTO member states (drawing)", "member_states_map", "cover"),
    ("secretariat-meets-graduates-school-of-diplomacy-2024-07-25", "The flags of the six CSTO member states side by side", "The flags of the CSTO member states (drawing)", "flags", "cover"),
]  # fmt: skip
