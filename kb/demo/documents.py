"""The text of the demo bundle's PDF and DOCX documents, block by block.

Each document is a dict: its bundle path, title, author and blocks, where a block is
("h2" | "h3" | "p", text), ("ul" | "ol", [items]) or ("table", [rows]), the first row the head.
"""

BILDSTOD = {
    "path": "material/npf/bildstod-och-forvarning.pdf",
    "title": "Bildstöd och förvarning – handledning för F–6",
    "author": "Petra Wallin, speciallärare, Lindskolan",
    "blocks": [
        (
            "p",
            "Många elever, och särskilt elever med autism, adhd eller språkstörning, "
            "behöver veta vad som ska hända för att kunna koncentrera sig på det som "
            "händer. Bildstöd och förvarning gör det osynliga synligt: dagens ordning, "
            "lektionens steg och förändringar som kommer. Den här handledningen beskriver "
            "hur vi arbetar med det på Lindskolan i förskoleklass till årskurs 6.",
        ),
        ("h2", "1. Dagsschema med bilder"),
        (
            "p",
            "Ett dagsschema sitter synligt i klassrummet och gås igenom varje morgon. "
            "Varje aktivitet har en bild och ett ord. Schemat läses uppifrån och ned eller "
            "från vänster till höger, och det som är klart flyttas eller vänds.",
        ),
        (
            "ul",
            [
                "Använd samma bilder i alla klassrum, så att eleverna känner igen dem när "
                "de byter lokal eller lärare. Bildbanken finns i lärplattformen.",
                "Ha en bild för ”ändring” – en blixt eller ett utropstecken – som sätts "
                "in där något blir annorlunda än vanligt.",
                "Vissa elever behöver ett eget schema på bänken, med bara halva dagen åt gången.",
            ],
        ),
        ("h2", "2. Lektionens steg"),
        (
            "p",
            "Skriv upp lektionens delar på tavlan i början av lektionen, gärna med bilder. "
            "Ett exempel för en matematiklektion i årskurs 3:",
        ),
        (
            "ol",
            [
                "Genomgång på mattan (10 minuter)",
                "Arbeta i boken, sidorna 34–35 (15 minuter)",
                "Spel i par (10 minuter)",
                "Exit ticket och städning (5 minuter)",
            ],
        ),
        (
            "p",
            "Bocka av varje steg när det är klart. Eleverna ser hur mycket som är kvar, "
            "och frågan ”när är vi klara?” blir ovanligare.",
        ),
        ("h2", "3. Förvarning om förändringar"),
        (
            "p",
            "Förändringar är det som skapar mest oro. En vikarie, en brandövning, ett "
            "inställt idrottspass eller en utflykt kan förstöra en hel dag för en elev "
            "som inte är förberedd.",
        ),
        (
            "table",
            [
                ["Förändring", "När förvarnar vi?", "Hur?"],
                ["Vikarie", "Så snart vi vet, helst dagen innan", "Foto på vikarien i schemat"],
                ["Utflykt", "En vecka innan och dagen innan", "Bildberättelse om dagen"],
                [
                    "Brandövning",
                    "Samma morgon för de elever som behöver",
                    "Enskilt samtal och bild",
                ],
                ["Nytt arbetsområde", "Lektionen innan", "Planering med bilder"],
            ],
        ),
        ("h2", "4. Övergångar och raster"),
        (
            "p",
            "Övergångar mellan aktiviteter, rum och personer är svåra för många. Använd "
            "en timer som visar hur lång tid som är kvar, och ge en påminnelse fem "
            "minuter och en minut innan något tar slut. Rasten kan vara dagens mest "
            "ostrukturerade tid. Ett rastschema med aktiviteter att välja mellan och en "
            "vuxen att vända sig till hjälper många elever.",
        ),
        ("h2", "5. Sociala berättelser"),
        (
            "p",
            "En social berättelse är en kort text med bilder som beskriver en situation "
            "ur elevens perspektiv: vad som händer, vad andra gör och vad eleven kan göra. "
            "Den skrivs tillsammans med eleven när det är möjligt. Exempel: ”När vi går "
            "till matsalen ställer vi oss i kö. Det kan vara trångt och låta mycket. Jag "
            "kan ta på mig hörselkåporna och stå sist i kön.”",
        ),
        ("h2", "Checklista för läraren"),
        (
            "ul",
            [
                "Finns dagens schema uppe när eleverna kommer?",
                "Är lektionens steg synliga?",
                "Har eleverna fått veta om förändringar i god tid?",
                "Finns en timer för arbetspass och övergångar?",
                "Vet vikarien var bildstödet finns?",
            ],
        ),
        (
            "p",
            "Frågor om bildstöd och förvarning: kontakta Petra Wallin, speciallärare. "
            "Se också dokumentet ”Extra anpassningar i matematik för elever med NPF”.",
        ),
    ],
}

STUDIEHANDLEDNING = {
    "path": "material/nyanlandas-larande/studiehandledning-pa-modersmalet.pdf",
    "title": "Studiehandledning på modersmålet – så samarbetar vi",
    "author": "Samira Yusuf, studiehandledare och lärare i svenska som andraspråk, Lindskolan",
    "blocks": [
        (
            "p",
            "Studiehandledning på modersmålet ges till elever som inte kan följa "
            "undervisningen tillräckligt bra på svenska. Syftet är att eleven ska kunna "
            "lära sig ämnesinnehållet på sitt starkaste språk samtidigt som svenskan "
            "utvecklas. Studiehandledaren är inte en tolk och inte en extra lärare, utan "
            "en brygga mellan elevens språk och ämnet. Det fungerar bara om ämnesläraren "
            "och studiehandledaren planerar tillsammans.",
        ),
        ("h2", "Vem får studiehandledning?"),
        (
            "p",
            "Beslutet fattas av rektor, oftast efter kartläggningen av nyanlända elever. "
            "I Sjöviks kommun finns studiehandledning på somaliska, arabiska, dari, "
            "tigrinja och ukrainska. För andra språk används fjärrstudiehandledning via "
            "kommunens centrala team.",
        ),
        ("h2", "Tre sätt att organisera"),
        (
            "table",
            [
                ["Modell", "Så går det till", "Passar när"],
                [
                    "Före lektionen",
                    "Förförståelse: begrepp och innehåll gås igenom på modersmålet",
                    "Nytt arbetsområde med många nya ord",
                ],
                [
                    "Under lektionen",
                    "Studiehandledaren sitter med i klassrummet",
                    "Laborationer, grupparbeten, praktiska moment",
                ],
                [
                    "Efter lektionen",
                    "Repetition och bearbetning på modersmålet",
                    "Inför prov och redovisningar",
                ],
            ],
        ),
        (
            "p",
            "Förförståelse före lektionen ger oftast mest. Eleven kan då delta i "
            "klassens genomgång och känna igen det som sägs.",
        ),
        ("h2", "Ämneslärarens ansvar"),
        (
            "ol",
            [
                "Skicka planeringen för arbetsområdet till studiehandledaren minst en vecka "
                "i förväg.",
                "Markera de 10–15 viktigaste begreppen.",
                "Dela texter, bilder och uppgifter i lärplattformen.",
                "Berätta vad eleven ska kunna när arbetsområdet är slut.",
                "Avsätt tio minuter varannan vecka för avstämning.",
            ],
        ),
        ("h2", "Studiehandledarens ansvar"),
        (
            "ul",
            [
                "Förbereda begreppen på båda språken, gärna i en tvåspråkig ordlista som "
                "eleven får behålla.",
                "Förklara innehållet utifrån elevens tidigare kunskaper och erfarenheter.",
                "Stötta eleven att uttrycka sina kunskaper, muntligt och skriftligt.",
                "Berätta för ämnesläraren vad eleven kan. Eleven vet ofta mer än hen kan "
                "visa på svenska.",
            ],
        ),
        ("h2", "Bedömning"),
        (
            "p",
            "Elevens kunskaper ska bedömas, inte elevens svenska. Låt eleven visa vad hen "
            "kan på modersmålet, med studiehandledarens hjälp, när det är möjligt. Det är "
            "ämnesläraren som bedömer och sätter betyg.",
        ),
        ("h2", "Vanliga problem och lösningar"),
        (
            "table",
            [
                ["Problem", "Lösning"],
                [
                    "Studiehandledaren får planeringen samma dag",
                    "Fast rutin: planeringen delas i lärplattformen på fredagen veckan innan",
                ],
                [
                    "Eleven vill inte gå ifrån klassen",
                    "Lägg studiehandledningen i klassrummet eller på elevens val",
                ],
                [
                    "Ordet finns inte på modersmålet",
                    "Förklara med bilder och exempel och använd det svenska ordet",
                ],
                [
                    "Eleven har inte gått i skolan tidigare",
                    "Börja med litteracitet och grundläggande begrepp, inte med ämnet",
                ],
            ],
        ),
        (
            "p",
            "Kontakt: Samira Yusuf, Lindskolan. Hon ger också studiehandledning på "
            "somaliska till Sjöviks högstadieskola två förmiddagar i veckan.",
        ),
    ],
}

KAMRATRESPONS = {
    "path": "material/formativ-bedomning/kamratrespons-matematik-ak8.docx",
    "title": "Kamratrespons i matematik, åk 8 – mall och exempel",
    "author": "Maria Sandberg och Elias Forsman, Sjöviks högstadieskola",
    "blocks": [
        (
            "p",
            "Mallen används när eleverna byter lösningar med varandra, till exempel på "
            "en problemlösningsuppgift eller på en exit ticket. Målet är att eleverna ska "
            "lära sig se kvaliteter i en lösning, både i kamratens och i sin egen. Mallen "
            "prövades i 8A och 8B under september 2026.",
        ),
        ("h2", "Så här gör ni"),
        (
            "ol",
            [
                "Lös uppgiften själv först, utan att titta på någon annan.",
                "Byt lösning med din kamrat.",
                "Läs kamratens lösning och fyll i mallen nedan. Skriv med blyerts.",
                "Lämna tillbaka och förklara din respons muntligt på högst två minuter.",
                "Förbättra din egen lösning med hjälp av responsen. Använd en annan färg.",
            ],
        ),
        ("h2", "Mall: två stjärnor och en önskan"),
        (
            "table",
            [
                ["Fråga", "Svar"],
                ["Går det att följa hur kamraten har tänkt? Var syns det?", ""],
                ["Har kamraten använt matematiska begrepp och symboler korrekt?", ""],
                ["Stjärna 1: Det här var bra i lösningen …", ""],
                ["Stjärna 2: Det här var också bra …", ""],
                ["Önskan: Lösningen skulle bli ännu bättre om …", ""],
            ],
        ),
        ("h2", "Exempeluppgift"),
        (
            "p",
            "En biobiljett kostar 120 kr för vuxna och 80 kr för barn. En familj betalade "
            "520 kr för fem biljetter. Hur många vuxna och hur många barn var det?",
        ),
        ("h2", "Exempel på respons från elever"),
        (
            "ul",
            [
                "Stjärna: ”Du prövade olika kombinationer i en tabell, så det var lätt att se "
                "hur du tänkte.”",
                "Stjärna: ”Du kontrollerade svaret genom att räkna 3 · 120 + 2 · 80.”",
                "Önskan: ”Skriv svaret med ord i slutet, till exempel: Det var 3 vuxna och 2 "
                "barn.”",
                "Mindre bra respons: ”Bra!” eller ”Fel svar.” – Den säger inget om varför.",
            ],
        ),
        ("h2", "Tips till läraren"),
        (
            "ul",
            [
                "Visa och diskutera exempel på bra och mindre bra respons innan eleverna "
                "gör det själva första gången.",
                "Para ihop elever som ligger ungefär på samma nivå, eller med en liten "
                "skillnad. Stor skillnad gör responsen enkelriktad.",
                "Samla in mallarna ibland och ge respons på responsen.",
                "Se även guiden ”Trafikljus och exit tickets i matematik, åk 7–9”.",
            ],
        ),
    ],
}

MATTESTIGEN = {
    "path": "material/matematik-utomhus/mattestigen-stationskort.docx",
    "title": "Mattestigen på skolgården – stationskort",
    "author": "Lena Holmberg och Oskar Nyström, Lindskolan",
    "blocks": [
        (
            "p",
            "Mattestigen består av åtta stationer runt Lindskolans skolgård. Varje "
            "station har ett kort med en uppgift i två nivåer: A för F–3 och B för 4–6. "
            "Korten skrivs ut, lamineras och sätts upp med buntband. Eleverna går i "
            "grupper om tre med ett svarsblad och en penna. Stigen tar 45–60 minuter.",
        ),
        ("h2", "Stationerna"),
        (
            "table",
            [
                ["Station", "Plats", "Nivå A (F–3)", "Nivå B (4–6)"],
                [
                    "1",
                    "Klätterställningen",
                    "Räkna stegpinnarna. Hur många är det på båda sidorna tillsammans?",
                    "Mät höjden till översta pinnen. Hur högt är det i centimeter och i meter?",
                ],
                [
                    "2",
                    "Fotbollsplanen",
                    "Gå runt planen och räkna dina steg. Skriv talet.",
                    "Beräkna planens omkrets och area. Visa hur du räknade.",
                ],
                [
                    "3",
                    "Cykelstället",
                    "Hur många cyklar står här? Hur många hjul är det?",
                    "Hur stor andel av cyklarna är blå? Skriv som bråk och i procent.",
                ],
                [
                    "4",
                    "Sandlådan",
                    "Bygg en kvadrat och en triangel med pinnar. Hur många hörn totalt?",
                    "Bygg en rektangel med omkretsen 20 pinnar och så stor area som möjligt.",
                ],
                [
                    "5",
                    "Eken",
                    "Hur många barn behövs för att krama runt stammen?",
                    "Mät omkretsen med snöre. Uppskatta diametern.",
                ],
                [
                    "6",
                    "Hopprepsplatsen",
                    "Hoppa 10 hopp. Ta tid. Hur lång tid tog det?",
                    "Hur många hopp hinner du på en minut? Hur många på en timme?",
                ],
                [
                    "7",
                    "Skolans entré",
                    "Leta efter former i fasaden. Rita tre.",
                    "Hitta en symmetrilinje i fasaden. Rita och förklara.",
                ],
                [
                    "8",
                    "Matsalsfönstret",
                    "Hur många fönster har matsalen? Skriv talet på två sätt.",
                    "Uppskatta hur många fönster hela skolan har. Hur tänkte du?",
                ],
            ],
        ),
        ("h2", "Före stigen"),
        (
            "ul",
            [
                "Gå stigen själv och kontrollera att alla kort sitter uppe.",
                "Dela in grupperna och ge varje grupp en startstation, så att ingen "
                "station blir trång.",
                "Gå igenom reglerna: gå, spring inte; stanna inom skolgårdens staket; alla i "
                "gruppen ska vara överens om svaret.",
            ],
        ),
        ("h2", "Efter stigen"),
        (
            "ol",
            [
                "Samla grupperna och jämför svaren station för station.",
                "Diskutera stationerna där grupperna fick olika svar. Varför blev det så?",
                "Låt eleverna hitta på en ny station till nästa gång.",
            ],
        ),
        ("h2", "Anpassningar"),
        (
            "ul",
            [
                "Korten finns också med bildstöd för elever som behöver det.",
                "Stationerna 1–4 ligger på den asfalterade delen och nås med rullstol.",
                "Nyanlända elever kan få korten med nyckelorden översatta.",
            ],
        ),
    ],
}

PDFS = [BILDSTOD, STUDIEHANDLEDNING]
DOCXS = [KAMRATRESPONS, MATTESTIGEN]
