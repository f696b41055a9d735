"""Demo content for a fictional town, Harbourtown. All words are our own invention."""

SECTIONS = [
    ("local", "Local", "Council, schools, streets and the people of Harbourtown.", 1),
    ("environment", "Environment", "The estuary, the weather and what we build on the land.", 2),
    ("culture", "Culture", "Music, theatre, books and the town's festivals.", 3),
]

AUTHORS = [
    (
        "maren-oduya",
        "Maren Oduya",
        "Local government reporter",
        "Maren has covered Harbourtown's council chamber for six years and still reads every "
        "planning file to the last page.",
    ),
    (
        "tomas-reyhill",
        "Tomás Reyhill",
        "Environment correspondent",
        "Tomás grew up on the estuary and writes about tides, flooding and the creatures "
        "that live between them.",
    ),
    (
        "ines-callow",
        "Inès Callow",
        "Culture editor",
        "Inès reviews plays, gigs and exhibitions, and runs the paper's summer reading list.",
    ),
    (
        "dev-ashgrove",
        "Dev Ashgrove",
        "Data and investigations",
        "Dev turns spreadsheets into stories and asks the questions that follow.",
    ),
]

TAGS = [
    ("council", "Council"), ("housing", "Housing"), ("transport", "Transport"),
    ("schools", "Schools"), ("estuary", "Estuary"), ("flooding", "Flooding"),
    ("wildlife", "Wildlife"), ("music", "Music"), ("theatre", "Theatre"),
    ("festivals", "Festivals"), ("books", "Books"),
]  # fmt: skip

# slug, section, authors, tags, hours ago, headline, standfirst, body paragraphs,
# alt text, caption, credit, update note (or "")
ARTICLES = [
    (
        "quay-street-bus-lane-approved",
        "local",
        ["maren-oduya"],
        ["council", "transport"],
        3,
        "Council approves bus lane on Quay Street after a year of argument",
        "Buses will get their own lane through the harbour from spring, but delivery drivers "
        "say nobody asked them.",
        [
            "Councillors voted nine to four on Tuesday night to paint a bus-only lane along the "
            "length of Quay Street.",
            "Supporters said the number 4 bus loses eleven minutes at peak times crawling past "
            "the fish market. Opponents warned that the lane would push vans onto side streets "
            "built for carts.",
            "<blockquote>We have spent twelve months talking about four hundred metres of "
            "tarmac.</blockquote>",
            "Work is expected to start in March and to take six weeks.",
        ],
        "A red bus waits behind parked vans on a narrow harbour street",
        "Quay Street at the morning rush.",
        "Harbour Ledger",
        "adds the bus operator's response",
    ),
    (
        "school-roof-repairs-delayed",
        "local",
        ["maren-oduya", "dev-ashgrove"],
        ["schools"],
        20,
        "Repairs to leaking school roofs delayed until the summer holidays",
        "Buckets remain in three classrooms at Hillside Primary while the contractor waits "
        "for materials.",
        [
            "Parents at Hillside Primary were told this week that roof repairs promised for "
            "half-term will not begin before July.",
            "The county's records show the roof was first reported as leaking in 2019. Since "
            "then it has been patched four times.",
            "The head teacher said no lessons had been cancelled and that the affected rooms "
            "are checked every morning.",
        ],
        "Plastic buckets on a classroom floor under a stained ceiling",
        "One of the classrooms at Hillside Primary.",
        "A parent",
        "",
    ),
    (
        "empty-homes-survey",
        "local",
        ["dev-ashgrove"],
        ["housing", "council"],
        45,
        "One in twenty homes in the old town stands empty, our survey finds",
        "We walked every street between the harbour and the railway and counted.",
        [
            "Over three weekends our reporters and twelve volunteers walked every street in the "
            "old town and noted every home that looked unlived-in.",
            "We counted 214 out of 4,380: just under five per cent. The council's own estimate "
            "is half that figure.",
            "<h2>How we counted</h2>",
            "We marked a home as empty only when at least two signs agreed: post piled up, "
            "utilities disconnected, or neighbours telling us so.",
            "<ul><li>Harbour ward: 88</li><li>Chapel ward: 71</li><li>Station ward: 55</li></ul>",
        ],
        "A terrace of houses, two with boarded windows",
        "Chapel Row, where four of eleven homes are empty.",
        "Dev Ashgrove",
        "corrects the total for Station ward",
    ),
    (
        "night-market-returns",
        "local",
        ["maren-oduya"],
        ["festivals"],
        70,
        "Night market returns to the fish quay after three quiet winters",
        "Forty stalls, one brass band and a licence that runs until ten.",
        [
            "The Friday night market is back. Organisers expect forty stalls on the fish quay "
            "from the first Friday of next month.",
            "Traders will pay a reduced pitch fee for the first season, paid for by a grant from "
            "the harbour trust.",
        ],
        "Strings of lights above market stalls at dusk",
        "The last night market, before the pause.",
        "Harbour Ledger archive",
        "",
    ),
    (
        "estuary-saltmarsh-restored",
        "environment",
        ["tomas-reyhill"],
        ["estuary", "wildlife"],
        6,
        "Saltmarsh returns to the estuary where the sea wall was opened",
        "Two years after engineers cut a gap in the old wall, the mud is turning green.",
        [
            "When engineers opened a forty-metre gap in the Victorian sea wall at Ebb Point, "
            "they promised the tide would do the rest.",
            "Surveyors now count eleven species of saltmarsh plant on land that was a sheep "
            "field, and the first redshanks nested there this spring.",
            "<figure><blockquote>It is faster than any of us predicted.</blockquote>"
            "<figcaption>The estuary trust's ecologist</figcaption></figure>",
        ],
        "Green saltmarsh plants on grey mud, with a broken wall behind",
        "Ebb Point at low tide.",
        "Tomás Reyhill",
        "",
    ),
    (
        "flood-warning-sirens-tested",
        "environment",
        ["tomas-reyhill"],
        ["flooding"],
        30,
        "Flood sirens to be tested on Saturday: what you will hear",
        "Three rising tones mean a test. A steady tone means leave the lower town.",
        [
            "The flood warning sirens on the harbour wall will be tested at 11:00 on Saturday.",
            "<ol><li>Three rising tones: this is a test.</li><li>A steady tone for two minutes: "
            "move to higher ground.</li><li>Short bursts: the danger has passed.</li></ol>",
            "Residents who cannot hear the sirens can sign up for text alerts at the library.",
        ],
        "A grey siren on a pole above the harbour wall",
        "The siren at the end of the north pier.",
        "Harbour Ledger",
        "",
    ),
    (
        "river-water-quality-data",
        "environment",
        ["dev-ashgrove", "tomas-reyhill"],
        ["estuary", "wildlife"],
        60,
        "River samples show sewage overflows after every heavy rain",
        "We tested the Wend at five points for three months. Here is what we found.",
        [
            "With volunteers from the rowing club, we took water samples from the river Wend "
            "every week since June.",
            "On each of the seven days after heavy rain, bacteria levels at the town bridge were "
            "above the limit for bathing water.",
            "The water company said it was investing in storm tanks and that our figures were "
            "\u201cconsistent with known overflow events\u201d.",
        ],
        "A volunteer in waders holds a sample bottle in a river",
        "Sampling under the town bridge.",
        "Tomás Reyhill",
        "adds the water company's response",
    ),
    (
        "tree-planting-volunteers",
        "environment",
        ["tomas-reyhill"],
        ["wildlife"],
        100,
        "Volunteers plant two thousand trees on the old quarry site",
        "Oak, hazel and rowan now cover a slope that was bare for forty years.",
        [
            "More than three hundred people turned up on Sunday to plant trees on the old "
            "quarry above Westgate.",
            "The land was given to the town by the quarry company when it closed. Until now, "
            "nobody had the money to do anything with it.",
        ],
        "Rows of small tree guards on a hillside",
        "The quarry slope after planting day.",
        "A volunteer",
        "",
    ),
    (
        "lighthouse-theatre-season",
        "culture",
        ["ines-callow"],
        ["theatre"],
        10,
        "Lighthouse Theatre opens its season with a play about the 1953 flood",
        "A cast of local actors, and a script built from residents' own memories.",
        [
            "The Lighthouse Theatre's new season opens on Thursday with <em>High Water</em>, a "
            "play about the night the sea came into the lower town.",
            "The writer spent a year recording interviews with people who remember it, the "
            "youngest of them now in their eighties.",
            "<p>Tickets are pay-what-you-can on Thursdays.</p>",
        ],
        "Actors on a dark stage lit by a single blue lamp",
        "A rehearsal of High Water.",
        "Lighthouse Theatre",
        "",
    ),
    (
        "harbour-jazz-weekend",
        "culture",
        ["ines-callow"],
        ["music", "festivals"],
        50,
        "Harbour Jazz Weekend announces its line-up",
        "Fourteen bands over three days, and for the first time a stage for under-18s.",
        [
            "Harbour Jazz Weekend returns in August with fourteen bands on three stages.",
            "This year's new stage on the fish quay is reserved for players under eighteen, "
            "chosen by audition at the town's two secondary schools.",
        ],
        "A saxophonist playing on a quay at sunset",
        "Last year's closing set.",
        "Inès Callow",
        "adds ticket prices",
    ),
    (
        "library-reading-list",
        "culture",
        ["ines-callow"],
        ["books"],
        80,
        "The summer reading list: eight books chosen by our readers",
        "You sent us four hundred suggestions. These are the ones we could not put down.",
        [
            "Every summer we ask readers which books they would hand to a friend. This year "
            "four hundred of you answered.",
            "The list runs from a history of the town's shipyards to a novel set on a ferry "
            "that never reaches port.",
            "All eight are in stock at the central library, which has ordered extra copies.",
        ],
        "A stack of paperback books on a library table",
        "This year's eight.",
        "Harbour Ledger",
        "",
    ),
    (
        "mural-on-station-wall",
        "culture",
        ["ines-callow", "maren-oduya"],
        ["festivals"],
        120,
        "New mural brings the estuary's birds to the station wall",
        "Schoolchildren drew the birds; a local painter scaled them up.",
        [
            "Commuters at Harbourtown station now walk past a thirty-metre mural of curlews, "
            "avocets and little egrets.",
            "The designs came from a competition at the town's primary schools, and the painter "
            "kept every child's original lines.",
        ],
        "A long wall painted with wading birds in blue and white",
        "The mural's western end.",
        "Inès Callow",
        "",
    ),
    (
        "council-budget-gap",
        "local",
        ["dev-ashgrove", "maren-oduya"],
        ["council"],
        1,
        "Council faces a £3m gap in next year's budget",
        "Libraries and bus subsidies are on the list of savings to be considered.",
        [
            "The council's finance officer told councillors on Monday that next year's budget "
            "is three million pounds short.",
            "A list of possible savings includes shorter library hours and an end to the "
            "subsidy for the evening bus to the villages.",
            "A public consultation opens next week. We will publish the full list of proposals "
            "as soon as we have it.",
        ],
        "The council chamber with empty seats before a meeting",
        "The council chamber before Monday's meeting.",
        "Harbour Ledger",
        "",
    ),
]

# A draft, so the demo shows staff previews; never public.
DRAFT_SLUG = "draft-harbour-dredging-plans"

# Stories in Russian, for the town's Russian-speaking readers: same shape as ARTICLES
# (their pages and appeal are in Russian whatever the reader's browser asks for).
ARTICLES_RU = [
    (
        "ru-ferry-timetable",
        "local",
        ["maren-oduya"],
        ["transport", "council"],
        2,
        "Паром через эстуарий с мая будет ходить каждые двадцать минут",
        "Совет Харбортауна добавил рейсы по утрам и вечерам; билеты не подорожают, но "
        "последний паром по-прежнему уходит в 22:40.",
        [
            "Во вторник городской совет единогласно утвердил новое расписание парома между "
            "Кей-стрит и Южным берегом.",
            "С первого мая в часы пик паром будет отправляться каждые двадцать минут, а не "
            "каждые полчаса, как сейчас. Днём интервал останется прежним.",
            "«Утром я дважды пропускала паром, потому что на него просто не помещались "
            "велосипеды», — рассказала нам медсестра Оксана Ли, которая каждый день ездит в "
            "больницу на Южном берегу.",
            "Жители просили продлить работу парома и после 22:40, но совет ответил, что на "
            "ночные рейсы в этом году денег нет. Мы продолжим следить за этим вопросом.",
        ],
        "Красно-белый паром пересекает эстуарий на фоне зелёных берегов",
        "Паром на переправе у Кей-стрит.",
        "Harbour Ledger",
        "",
    ),
    (
        "ru-library-russian-shelf",
        "culture",
        ["ines-callow"],
        ["books"],
        6,
        "В городской библиотеке появилась полка книг на русском языке",
        "Двести книг собрали сами читатели: от сказок для малышей до свежих романов.",
        [
            "Идея принадлежит читательскому клубу, который по средам собирается в "
            "библиотеке на Маркет-сквер. За три месяца его участники принесли больше двухсот "
            "книг.",
            "Библиотека выделила под них отдельный стеллаж у окна и внесла все книги в "
            "каталог: взять их можно по обычному читательскому билету.",
            "«Дети, которые выросли здесь, часто читают по-английски лучше, чем по-русски. "
            "Нам хотелось, чтобы у них под рукой были книги их бабушек и дедушек», — говорит "
            "библиотекарь Ирина Соколова.",
            "Клуб принимает новые книги каждую среду с шести до восьми вечера.",
        ],
        "Разноцветные корешки книг на трёх деревянных полках",
        "Новая полка в библиотеке на Маркет-сквер.",
        "Harbour Ledger",
        "",
    ),
    (
        "ru-estuary-seal-count",
        "environment",
        ["tomas-reyhill"],
        ["estuary", "wildlife"],
        12,
        "Волонтёры насчитали на отмелях эстуария рекордное число тюленей",
        "Сто сорок шесть животных за одно утро — вдвое больше, чем пять лет назад.",
        [
            "Ежегодный подсчёт тюленей прошёл в субботу во время отлива. Сорок волонтёров с "
            "биноклями разошлись по шести точкам вдоль берега.",
            "Они насчитали 146 тюленей, из них 31 детёныша. Пять лет назад на тех же отмелях "
            "видели всего 70 животных.",
            "Учёные связывают рост с тем, что рыбы в эстуарии стало больше после очистки "
            "старых стоков, о которой мы писали прошлым летом.",
            "Волонтёры просят гуляющих держаться от отмелей не ближе ста метров и не спускать "
            "собак с поводка: испуганные тюлени бросают детёнышей.",
        ],
        "Тюлени лежат на песчаной отмели посреди воды",
        "Тюлени на отмели во время субботнего подсчёта.",
        "Harbour Ledger",
        "",
    ),
]

# The live appeal at the end of the Russian stories.
APPEAL_RU = {
    "name": "Демо-обращение (русский)",
    "heading": "Пока вы здесь: поддержите местную журналистику",
    "body": (
        "Мы пишем о Харбортауне для всех, кто здесь живёт, в том числе на русском языке. "
        "Читать нас можно бесплатно, и мы хотим, чтобы так было и дальше: у нас нет "
        "владельца-миллиардера, и рекламодатели не решают, о чём нам писать.\n\n"
        "Наши материалы оплачивают читатели. Если вам важно то, что вы только что "
        "прочитали, пожалуйста, поддерживайте нас ежемесячно — от 2 €, 2 $ или 2 £. Это "
        "займёт меньше минуты, а изменить или отменить пожертвование можно когда угодно."
    ),
}
