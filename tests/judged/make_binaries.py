"""Write the judged bundle's real PDF and DOCX documents and their sidecars (run once).

Usage, from the worktree root:
    python tests/judged/make_binaries.py

The produced files are committed; this script only records how they were made.
Needs python-docx and reportlab.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

BUNDLE = Path(__file__).resolve().parent / "bundle"

# Each document: its source, its sidecar metadata and its text as (kind, text) blocks,
# kind being h1, h2, p or li.
DOCUMENTS = [
    {
        "source": "material/bibliotek/sommarboken-utvardering-2026.docx",
        "meta": {
            "title": "Utvärdering av Sommarboken 2026",
            "authors": ["agneta.lundberg"],
            "date": dt.date(2026, 9, 14),
            "grades": ["F-3", "4-6"],
            "tags": ["sommarlovsläsning", "utvärdering", "läsfrämjande", "folkbibliotek"],
            "language": "sv",
        },
        "blocks": [
            ("h1", "Utvärdering av Sommarboken 2026"),
            (
                "p",
                "Sommarboken är stadsbibliotekets läsprojekt för barn 6–12 år under sommarlovet. "
                "I år hade projektet temat Hemligheter. Den här utvärderingen bygger på "
                "deltagarsiffror, läspassen som lämnades in och samtal med barn, föräldrar och "
                "lärare i augusti.",
            ),
            ("h2", "Deltagande"),
            (
                "p",
                "412 barn hämtade ett läspass, mot 296 år 2025. 238 barn lämnade in läspasset vid "
                "avslutningen, och 171 av dem hade läst minst fem böcker. Ökningen kom framför allt "
                "från Kvarnby och från barn som fick läspasset genom fritidshemmets "
                "sommarverksamhet och simskolan.",
            ),
            ("h2", "Vad fungerade"),
            ("li", "Läspass på arabiska, somaliska och dari gjorde att nya familjer kom."),
            ("li", "Att ljudböcker räknades: en tredjedel av böckerna i läspassen var ljudböcker."),
            (
                "li",
                "Boksamtalen varannan onsdag, där barnen tipsade varandra. Några barn kom varje gång.",
            ),
            (
                "li",
                "Att sommarlån från skolbiblioteket kunde lämnas på stadsbiblioteket.",
            ),
            ("h2", "Vad fungerade mindre bra"),
            (
                "li",
                "Många barn tappade intresset i juli, när biblioteket hade kortare öppettider.",
            ),
            (
                "li",
                "De äldsta barnen, 11–12 år, tyckte att temat och läspasset var barnsligt.",
            ),
            (
                "li",
                "Lärarna i åk 4–6 visste inte vilka elever som hade deltagit och kunde inte följa "
                "upp i skolan.",
            ),
            ("h2", "Förslag till 2027"),
            (
                "p",
                "Vi föreslår ett eget upplägg för 11–12 år med digitala boktips som barnen gör "
                "själva, bokcirklar på fritidsgården i juli, och att skolorna får en lista över "
                "deltagare per klass, med vårdnadshavarnas samtycke, så att lärarna kan ta vara på "
                "läsningen i höstens undervisning.",
            ),
        ],
    },
    {
        "source": "material/npf/bildstod-och-dagsschema.pdf",
        "meta": {
            "title": "Bildstöd och dagsschema i F–3",
            "authors": ["sanna.berg", "maja.sundin"],
            "date": dt.date(2024, 11, 25),
            "grades": ["F", "F-3"],
            "tags": ["bildstöd", "dagsschema", "NPF", "tydliggörande pedagogik", "struktur"],
            "language": "sv",
        },
        "blocks": [
            ("h1", "Bildstöd och dagsschema i F–3"),
            (
                "p",
                "Många barn blir oroliga när de inte vet vad som ska hända. Det gäller särskilt "
                "barn med autism eller ADHD, men ett tydligt dagsschema med bilder hjälper hela "
                "gruppen. Bildstödet gör det abstrakta, tiden, konkret och synligt.",
            ),
            ("h2", "Dagsschemat"),
            (
                "li",
                "Schemat sitter på samma plats varje dag, i barnens ögonhöjd, uppifrån och ned.",
            ),
            (
                "li",
                "Varje aktivitet har en bild och ett ord: samling, läsa, rast, lunch, idrott.",
            ),
            (
                "li",
                "När en aktivitet är klar vänder ett barn på bilden eller lägger den i en låda.",
            ),
            (
                "li",
                "Förändringar visas med en särskild bild, ett frågetecken eller en stjärna, och "
                "förklaras vid morgonsamlingen. Barnet ska aldrig överraskas av en förändring.",
            ),
            ("h2", "Individuella scheman"),
            (
                "p",
                "Vissa barn behöver ett eget schema på bänken, med mindre steg: först, sedan, "
                "sist. Först läsa, sedan rita, sist rast. Ett först–sedan-kort med två bilder "
                "räcker ofta för att komma igång med en uppgift.",
            ),
            ("h2", "Bildstöd i övergångar"),
            (
                "p",
                "Övergångar, till exempel från rast till lektion, är svåra. Visa bilden för nästa "
                "aktivitet i förväg och använd en timer som visar hur lång tid som är kvar. Förvarna "
                "fem minuter innan något tar slut.",
            ),
            ("h2", "Att tänka på"),
            (
                "p",
                "Använd samma bilder i förskoleklass, skola och fritidshem så att barnen känner "
                "igen dem. Bilderna kommer från skolans gemensamma bildbank. Tecken som stöd (TAKK) "
                "kan kombineras med bilderna.",
            ),
        ],
    },
    {
        "source": "material/npf/pedagogisk-kartlaggning-mall.docx",
        "meta": {
            "title": "Mall för pedagogisk kartläggning, Älvsunda gymnasium",
            "authors": ["camilla.franzen"],
            "date": dt.date(2025, 9, 1),
            "grades": ["gymnasiet"],
            "tags": ["pedagogisk kartläggning", "särskilt stöd", "utredning", "mall"],
            "language": "sv",
            "visibility": "unit",
        },
        "blocks": [
            ("h1", "Mall för pedagogisk kartläggning"),
            (
                "p",
                "Mallen används när rektor har gett specialpedagogen i uppdrag att utreda en elevs "
                "behov av särskilt stöd. Den pedagogiska kartläggningen beskriver elevens "
                "skolsituation på tre nivåer: organisation, grupp och individ. Fyll i tillsammans "
                "med eleven, mentorn och berörda ämneslärare.",
            ),
            ("h2", "1. Bakgrund"),
            (
                "li",
                "Varför görs kartläggningen? Vilka svårigheter har lärarna sett, och sedan när?",
            ),
            (
                "li",
                "Vilka extra anpassningar har prövats, hur länge och med vilket resultat?",
            ),
            ("h2", "2. Organisationsnivå"),
            (
                "p",
                "Schema, gruppstorlek, lokaler, tillgång till specialpedagog och elevhälsa. Finns "
                "det något i skolans organisation som gör situationen svårare för eleven?",
            ),
            ("h2", "3. Gruppnivå"),
            (
                "p",
                "Hur fungerar eleven i klassen och i olika ämnen? Relationer till kamrater och "
                "lärare. Finns det lektioner där det går bättre, och vad är skillnaden?",
            ),
            ("h2", "4. Individnivå"),
            (
                "li",
                "Elevens egen beskrivning: vad är svårt, vad fungerar, vad önskar eleven?",
            ),
            ("li", "Kunskapsutveckling i ämnena enligt ämneslärarna."),
            ("li", "Närvaro, hälsa och motivation, i samråd med elevhälsan."),
            ("h2", "5. Analys och förslag"),
            (
                "p",
                "Sammanfatta vad kartläggningen visar och föreslå om eleven behöver särskilt stöd. "
                "Förslaget lämnas till rektor, som beslutar om åtgärdsprogram eller om att inte "
                "utarbeta ett.",
            ),
        ],
    },
    {
        "source": "material/trygghet/plan-mot-krankande-behandling-kvarnby.pdf",
        "meta": {
            "title": "Plan mot diskriminering och kränkande behandling 2026/27, Kvarnbyskolan",
            "authors": ["goran.falk", "ingrid.sahlin"],
            "date": dt.date(2026, 9, 7),
            "grades": ["7-9"],
            "tags": ["kränkande behandling", "diskriminering", "likabehandling", "trygghet"],
            "language": "sv",
        },
        "blocks": [
            ("h1", "Plan mot diskriminering och kränkande behandling 2026/27"),
            (
                "p",
                "Kvarnbyskolan ska vara en trygg skola där ingen elev blir diskriminerad, trakasserad "
                "eller kränkt. Planen beskriver hur skolan arbetar förebyggande, hur vi upptäcker "
                "kränkningar och vad som händer när en elev har blivit kränkt.",
            ),
            ("h2", "Förebyggande arbete"),
            ("li", "Värdegrundsarbete i mentorstiden varje vecka."),
            ("li", "Rastvakter på de platser som eleverna upplever som otrygga."),
            ("li", "Trygghetsteamet, som träffas varje vecka och följer upp ärenden."),
            (
                "li",
                "Trygghetsenkät och trygghetsvandring med elevrådet varje höst.",
            ),
            ("h2", "När en elev har blivit kränkt"),
            (
                "p",
                "All personal som får veta att en elev kan ha blivit kränkt ska anmäla det till "
                "rektor samma dag. Rektor anmäler vidare till huvudmannen. Skolan utreder "
                "skyndsamt: vi pratar med den utsatta eleven, med den eller de som har kränkt och "
                "med vårdnadshavarna. Åtgärder sätts in och följs upp efter två veckor och efter "
                "en månad.",
            ),
            ("h2", "Kränkningar på nätet"),
            (
                "p",
                "Kränkningar i sociala medier och chattar som har koppling till skolan hanteras på "
                "samma sätt. Filmning och fotografering i omklädningsrum är förbjuden; mobiler "
                "lämnas i låsta skåp under idrottslektionerna.",
            ),
            ("h2", "Årets mål"),
            (
                "p",
                "Andelen elever som känner sig trygga på skolan ska öka från 86 till 90 procent. "
                "Särskilt fokus på toaletterna vid matsalen och området bakom idrottshallen.",
            ),
        ],
    },
    {
        "source": "material/bild/portfolio-bild-och-form.docx",
        "meta": {
            "title": "Portfolio i bild och form: instruktion och bedömning",
            "authors": ["robert.ivarsson"],
            "date": dt.date(2025, 8, 25),
            "subjects": ["bild"],
            "grades": ["gymnasiet"],
            "tags": ["portfolio", "bedömning", "bild", "estetiska programmet", "process"],
            "language": "sv",
        },
        "blocks": [
            ("h1", "Portfolio i bild och form"),
            (
                "p",
                "På estetiska programmet samlar eleverna sina arbeten i kursen Bild och form i en "
                "digital portfolio. Portfolion visar både färdiga verk och processen fram till dem: "
                "skisser, idéer, misslyckade försök och reflektioner. Det är processen som gör att "
                "läraren kan bedöma hur eleven utvecklas.",
            ),
            ("h2", "Vad portfolion ska innehålla"),
            ("li", "Minst ett verk från varje arbetsområde: teckning, måleri, grafik, foto."),
            ("li", "Skisser och idéutveckling till varje verk, fotograferade eller skannade."),
            (
                "li",
                "En kort text till varje verk: vad ville jag uttrycka, vilka val gjorde jag, vad "
                "lärde jag mig?",
            ),
            ("li", "Referenser till konstnärer och bilder som har inspirerat."),
            ("h2", "Bedömning"),
            (
                "p",
                "Läraren bedömer portfolion vid tre tillfällen under läsåret. Bedömningen gäller "
                "hantverket, förmågan att utveckla idéer, att använda bildspråket medvetet och att "
                "reflektera över sitt eget arbete. Ett tekniskt enkelt verk med en genomtänkt "
                "process kan visa höga kvaliteter.",
            ),
            ("h2", "Återkoppling"),
            (
                "p",
                "Efter varje bedömningstillfälle får eleven skriftlig återkoppling i portfolion: "
                "vad som är starkt och vad nästa steg är. Eleven svarar med en plan för nästa "
                "arbetsområde.",
            ),
            ("h2", "Praktiskt"),
            (
                "p",
                "Portfolion görs i lärplattformen. Fotografera verken i dagsljus mot en neutral "
                "bakgrund. Spara originalen tills kursen är slut.",
            ),
        ],
    },
    {
        "source": "material/matematik/taluppfattning-f-3.pdf",
        "meta": {
            "title": "Taluppfattning i F–3: kartläggning och aktiviteter",
            "authors": ["sanna.berg"],
            "date": dt.date(2024, 3, 11),
            "subjects": ["matematik"],
            "grades": ["F", "F-3"],
            "tags": ["taluppfattning", "matematik", "kartläggning", "tidiga insatser"],
            "language": "sv",
        },
        "blocks": [
            ("h1", "Taluppfattning i F–3"),
            (
                "p",
                "Taluppfattning är förståelsen av vad tal är, hur de förhåller sig till varandra och "
                "hur de kan delas upp. Elever med svag taluppfattning i de lägsta årskurserna får "
                "ofta svårigheter i matematik senare. Därför kartlägger vi tidigt och sätter in "
                "insatser direkt.",
            ),
            ("h2", "Kartläggning"),
            (
                "p",
                "I förskoleklass och åk 1 använder vi Skolverkets kartläggningsmaterial Hitta "
                "matematiken och det obligatoriska bedömningsstödet i åk 1. Specialläraren gör en "
                "fördjupad kartläggning med de elever som behöver det.",
            ),
            ("h2", "Vad vi tittar på"),
            ("li", "Kan eleven räkna ramsan och peka på ett föremål i taget?"),
            ("li", "Förstår eleven att sista räkneordet anger antalet?"),
            ("li", "Kan eleven se små antal utan att räkna (subitisering)?"),
            ("li", "Kan eleven dela upp tal upp till tio: 7 är 5 och 2, 4 och 3?"),
            ("li", "Kan eleven placera tal på en tallinje?"),
            ("h2", "Aktiviteter"),
            (
                "li",
                "Tiokamrater: par av tal som blir tio, med fingrar, kulramar och kort.",
            ),
            ("li", "Tärningsspel där barnen ser prickbilder och säger antalet snabbt."),
            ("li", "Tallinjen på golvet: barnen hoppar fram och tillbaka."),
            ("li", "Dela upp: barnen delar upp tio kulor i två koppar på alla sätt."),
            ("h2", "Tidiga insatser"),
            (
                "p",
                "Elever som behöver mer får korta pass med specialläraren tre gånger i veckan i "
                "sex veckor, och sedan en ny kartläggning. Föräldrarna får spel att spela hemma.",
            ),
        ],
    },
]


def write_docx(path: Path, blocks: list[tuple[str, str]], title: str) -> None:
    """Write the blocks as a DOCX document with real headings and list paragraphs."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.created = dt.datetime(2026, 11, 15)
    for kind, text in blocks:
        if kind == "h1":
            document.add_heading(text, level=1)
        elif kind == "h2":
            document.add_heading(text, level=2)
        elif kind == "li":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
    document.save(str(path))


def write_pdf(path: Path, blocks: list[tuple[str, str]], title: str) -> None:
    """Write the blocks as a PDF with a text layer, wrapped paragraphs and bullets."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    style = {"h1": styles["Heading1"], "h2": styles["Heading2"], "p": styles["BodyText"]}
    story = []
    for kind, text in blocks:
        if kind == "li":
            story.append(Paragraph(text, styles["BodyText"], bulletText="•"))
        else:
            story.append(Paragraph(text, style[kind]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=title, invariant=1)
    doc.build(story)


def main() -> None:
    """Write every document and its sidecar NAME.EXT.yaml."""
    for item in DOCUMENTS:
        path = BUNDLE / item["source"]
        path.parent.mkdir(parents=True, exist_ok=True)
        title = item["meta"]["title"]
        if path.suffix == ".docx":
            write_docx(path, item["blocks"], title)
        else:
            write_pdf(path, item["blocks"], title)
        sidecar = path.with_name(path.name + ".yaml")
        sidecar.write_text(
            yaml.safe_dump(item["meta"], allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        print(item["source"])


if __name__ == "__main__":
    main()
