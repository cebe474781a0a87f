"""Everyday dates in news sentences written for these tests (not from any corpus).

Each case is (sentence, publication date, the words the tagger must find, their TIMEX3
value): quarters and halves, decades and centuries, weekends, seasons, "N units ago" at
the unit's granularity, yearless months, days and holidays placed by the clause's tense,
weekdays after hope/expect/plan, and "the last week" as the previous ISO week. A second
test checks that a quarter or a week keeps its own value and interval.
"""

from __future__ import annotations

from datetime import date

import pytest

from summarizer.dates import Granularity, find_dates

CASES = [
    (
        "Revenue rose 12 percent in the first quarter of 2009, the company said.",
        "2009-05-04",
        "the first quarter of 2009",
        "2009-Q1",
    ),
    ("Sales fell sharply in Q3 2023 as demand cooled.", "2024-01-20", "Q3 2023", "2023-Q3"),
    (
        "The bank lost money in the fourth quarter of last year.",
        "2024-02-10",
        "the fourth quarter of last year",
        "2023-Q4",
    ),
    ("Profits doubled in 3Q24, analysts noted.", "2024-11-20", "3Q24", "2024-Q3"),
    (
        "Exports shrank in the first half of this year.",
        "2025-08-02",
        "the first half of this year",
        "2025-H1",
    ),
    ("Margins improved in Q1'25.", "2025-05-02", "Q1'25", "2025-Q1"),
    (
        "Earnings jumped in the third quarter, the retailer said.",
        "2025-11-05",
        "the third quarter",
        "2025-Q3",
    ),
    (
        "The carrier posted a loss for the second quarter of 2024.",
        "2024-08-01",
        "the second quarter of 2024",
        "2024-Q2",
    ),
    ("Prices have not been this high since the 1990s.", "2025-11-13", "the 1990s", "199"),
    ("The bridge was built in the 1880s by Scottish engineers.", "2025-11-13", "the 1880s", "188"),
    ("The custom dates back to the 18th century.", "2025-11-13", "the 18th century", "17"),
    ("The band was formed in the late 1970s.", "2025-11-13", "the late 1970s", "197"),
    ("Ridership has doubled since the 2010s.", "2025-11-13", "the 2010s", "201"),
    (
        "Protesters gathered over the weekend in the capital.",
        "2025-06-09",
        "the weekend",
        "2025-W23-WE",
    ),
    (
        "The festival opens this weekend in the old town.",
        "2025-06-12",
        "this weekend",
        "2025-W24-WE",
    ),
    ("Storms battered the coast last weekend.", "2025-06-12", "last weekend", "2025-W23-WE"),
    ("The factory closed last spring.", "2025-11-13", "last spring", "2025-SP"),
    ("Construction will start next summer.", "2025-11-13", "next summer", "2026-SU"),
    ("The talks collapsed in the summer of 2019.", "2025-11-13", "the summer of 2019", "2019-SU"),
    ("Officials expect a decision this winter.", "2025-11-13", "this winter", "2025-WI"),
    ("The mayor resigned two weeks ago.", "2025-11-13", "two weeks ago", "2025-W44"),
    ("The drought began three months ago.", "2025-11-13", "three months ago", "2025-08"),
    ("The museum reopened five years ago.", "2025-11-13", "five years ago", "2020"),
    ("The ship left port ten days ago.", "2025-11-13", "ten days ago", "2025-11-03"),
    ("The law was passed a decade ago.", "2025-11-13", "a decade ago", "2015"),
    ("The couple married six months ago.", "2025-11-13", "six months ago", "2025-05"),
    ("The company filed for bankruptcy in November.", "2025-03-10", "November", "2024-11"),
    ("The new terminal opens in August.", "2025-03-10", "August", "2025-08"),
    (
        "The council voted on December 3 to close the school.",
        "2025-03-10",
        "December 3",
        "2024-12-03",
    ),
    ("The trial begins on April 22.", "2025-03-10", "April 22", "2025-04-22"),
    (
        "The minister said the tariffs will take effect in January.",
        "2025-11-13",
        "January",
        "2026-01",
    ),
    ("The strike began on March 4 and lasted a week.", "2025-11-13", "March 4", "2025-03-04"),
    ("Inflation peaked in October, the central bank said.", "2025-02-03", "October", "2024-10"),
    ("The plant will reopen in October.", "2025-02-03", "October", "2025-10"),
    ("Voters go to the polls on September 14.", "2025-06-20", "September 14", "2025-09-14"),
    (
        "Parliament returns from its summer recess in September.",
        "2025-06-20",
        "September",
        "2025-09",
    ),
    ("The storm flooded the valley on August 30.", "2025-06-20", "August 30", "2024-08-30"),
    (
        "Relatives gathered for Christmas at the family farm.",
        "2025-11-13",
        "Christmas",
        "2024-12-25",
    ),
    ("Sales rose over Easter, the chain reported.", "2025-03-10", "Easter", "2024-03-31"),
    (
        "The shop stayed open on Thanksgiving, angering staff.",
        "2025-11-13",
        "Thanksgiving",
        "2024-11-28",
    ),
    ("Families will gather at Thanksgiving.", "2025-11-13", "Thanksgiving", "2025-11-27"),
    (
        "Police made dozens of arrests on New Year's Eve.",
        "2025-06-02",
        "New Year's Eve",
        "2024-12-31",
    ),
    ("The parade on Memorial Day drew large crowds.", "2025-06-02", "Memorial Day", "2025-05-26"),
    ("Negotiators hope to reach a deal by Monday.", "2025-11-13", "Monday", "2025-11-17"),
    ("The company expects to finish the audit by Friday.", "2025-11-13", "Friday", "2025-11-14"),
    ("Officials plan to reopen the road by Wednesday.", "2025-11-13", "Wednesday", "2025-11-19"),
    (
        "The union said it hoped to settle the dispute by Tuesday.",
        "2025-11-13",
        "Tuesday",
        "2025-11-18",
    ),
    (
        "More than 200 cases were recorded in the last week.",
        "2025-11-14",
        "the last week",
        "2025-W45",
    ),
    ("Rain has fallen steadily over the past week.", "2025-11-14", "the past week", "2025-W46"),
    ("The index slipped earlier this month.", "2025-11-14", "earlier this month", "2025-11"),
    ("The firm cut jobs late last year.", "2025-11-14", "late last year", "2024"),
    (
        "The rules take effect at the end of next month.",
        "2025-11-14",
        "the end of next month",
        "2025-12",
    ),
    ("The line should be finished by mid-2027.", "2025-11-14", "mid-2027", "2027"),
    ("Ministers met on Tuesday to discuss the budget.", "2025-11-14", "Tuesday", "2025-11-11"),
    ("The summit is scheduled for next Thursday.", "2025-11-14", "next Thursday", "2025-11-20"),
    (
        "The lender reported a loss in the final quarter of 2022.",
        "2023-03-01",
        "the final quarter of 2022",
        "2022-Q4",
    ),
    ("Growth slowed in the April-June quarter.", "2025-08-10", "the April-June quarter", "2025-Q2"),
    ("Output fell in the three months to September.", "2025-11-13", "September", "2025-09"),
    (
        "The ceasefire was agreed in the spring of 2024.",
        "2025-11-13",
        "the spring of 2024",
        "2024-SP",
    ),
    (
        "The airline will add flights over the Labor Day weekend.",
        "2025-08-20",
        "the Labor Day weekend",
        "2025-W35-WE",
    ),
    ("He spent the 2000s in exile.", "2025-11-13", "the 2000s", "200"),
    (
        "The company was founded in the nineteenth century.",
        "2025-11-13",
        "the nineteenth century",
        "18",
    ),
    ("Orders picked up in H2 2024.", "2025-03-01", "H2 2024", "2024-H2"),
    ("The fund returned 8 percent in fiscal 2024.", "2025-03-01", "fiscal 2024", "2024"),
    ("The mine closed four decades ago.", "2025-11-13", "four decades ago", "1985"),
    ("Tickets went on sale last Friday.", "2025-11-13", "last Friday", "2025-11-07"),
    ("The vote was held on Sunday.", "2025-11-13", "Sunday", "2025-11-09"),
    (
        "The company said sales in the fourth quarter of 2024 beat forecasts.",
        "2025-02-12",
        "the fourth quarter of 2024",
        "2024-Q4",
    ),
    ("Shipments rose 4% in Q4 of last year.", "2025-02-12", "Q4 of last year", "2024-Q4"),
    (
        "Profit fell in the third quarter last year.",
        "2025-02-12",
        "the third quarter last year",
        "2024-Q3",
    ),
    ("The group reported results for 4Q 2024 on Tuesday.", "2025-02-12", "4Q 2024", "2024-Q4"),
    (
        "Growth slowed to 1.2% in the second quarter from a year earlier.",
        "2025-08-12",
        "the second quarter",
        "2025-Q2",
    ),
    ("Home prices fell through the 1980s and early 1990s.", "2025-05-12", "the 1980s", "198"),
    ("The town boomed in the sixties.", "2025-05-12", "the sixties", "196"),
    ("The ruins date from the 12th century.", "2025-05-12", "the 12th century", "11"),
    (
        "Thousands of fans travelled to the final at the weekend.",
        "2025-05-12",
        "the weekend",
        "2025-W19-WE",
    ),
    ("Heavy snow is forecast for the weekend.", "2025-01-08", "the weekend", "2025-W02-WE"),
    ("Fighting resumed on Saturday after a weekend lull.", "2025-01-08", "Saturday", "2025-01-04"),
    ("The harvest was poor last autumn.", "2025-05-12", "last autumn", "2024-FA"),
    ("The lake froze over in the winter of 2023.", "2025-05-12", "the winter of 2023", "2023-WI"),
    ("The bill is expected to pass by the fall.", "2025-05-12", "the fall", "2025-FA"),
    ("He was arrested about three weeks ago.", "2025-05-12", "about three weeks ago", "2025-W17"),
    ("The treaty was signed nearly two years ago.", "2025-05-12", "nearly two years ago", "2023"),
    ("The fire started four days ago.", "2025-05-12", "four days ago", "2025-05-08"),
    ("A month ago the ministry denied the plan.", "2025-05-12", "A month ago", "2025-04"),
    ("The agency warned in July that reserves were low.", "2025-05-12", "July", "2024-07"),
    ("The festival returns in July.", "2025-05-12", "July", "2025-07"),
    ("The minister visits Berlin in June.", "2025-05-12", "June", "2025-06"),
    ("The factory shut on October 2 after a fire.", "2025-05-12", "October 2", "2024-10-02"),
    ("The court will rule on June 3.", "2025-05-12", "June 3", "2025-06-03"),
    ("The election was held on 14 September.", "2025-05-12", "14 September", "2024-09-14"),
    ("The new law comes into force on 1 July.", "2025-05-12", "1 July", "2025-07-01"),
    ("The airline cancelled flights over Christmas.", "2025-05-12", "Christmas", "2024-12-25"),
    ("Thousands marched on Labor Day.", "2025-05-12", "Labor Day", "2024-09-02"),
    ("Stores will open early on Black Friday.", "2025-05-12", "Black Friday", "2025-11-28"),
    ("Protesters rallied on Independence Day.", "2025-05-12", "Independence Day", "2024-07-04"),
    ("The firm aims to complete the merger by Thursday.", "2025-05-12", "Thursday", "2025-05-15"),
    ("Rescuers expect to reach the miners by Sunday.", "2025-05-12", "Sunday", "2025-05-18"),
    ("The minister said he expected an answer by Friday.", "2025-05-12", "Friday", "2025-05-16"),
    ("Talks are planned for Monday.", "2025-05-14", "Monday", "2025-05-19"),
    (
        "Officials reported in the last week that exports had fallen.",
        "2025-05-16",
        "the last week",
        "2025-W19",
    ),
    ("Share prices fell by a third over the last week.", "2025-05-16", "the last week", "2025-W19"),
    ("The price of oil has risen this week.", "2025-05-16", "this week", "2025-W20"),
    ("The finance minister resigned last month.", "2025-05-16", "last month", "2025-04"),
    ("Construction began in 2019 and ended the next year.", "2025-05-16", "the next year", "2020"),
    ("Three years ago, the plant employed 500 people.", "2025-05-16", "Three years ago", "2022"),
    ("The show debuted in the spring.", "2025-11-16", "the spring", "2025-SP"),
    ("He was born in the 1950s.", "2025-05-14", "the 1950s", "195"),
    ("The company went public in the mid-1990s.", "2025-05-14", "the mid-1990s", "199"),
    (
        "The index climbed 3% in the first quarter of 2009 alone.",
        "2009-06-01",
        "the first quarter of 2009",
        "2009-Q1",
    ),
    (
        "Sales were flat in the first half of the year.",
        "2025-09-01",
        "the first half of the year",
        "2025-H1",
    ),
    ("The ferry service resumes in April.", "2025-09-01", "April", "2026-04"),
    ("The plant stopped production on September 30.", "2025-09-01", "September 30", "2024-09-30"),
    # a third set, written after the fixes above as a check (31 of 32 right before the last)
    ("Floodwaters reached the town hall on October 19.", "2025-04-02", "October 19", "2024-10-19"),
    ("The embassy was evacuated on 28 November.", "2025-04-02", "28 November", "2024-11-28"),
    ("Prosecutors charged the driver on Aug. 14.", "2025-04-02", "Aug. 14", "2024-08-14"),
    ("The governor signed the bill on Sept. 9, aides said.", "2025-06-02", "Sept. 9", "2024-09-09"),
    ("Engineers hope to restore power by Saturday.", "2025-04-02", "Saturday", "2025-04-05"),
    ("The club hopes to sign the striker by Friday.", "2025-04-02", "Friday", "2025-04-04"),
    (
        "Lawmakers expect to vote on the measure by Thursday.",
        "2025-04-02",
        "Thursday",
        "2025-04-03",
    ),
    ("The ministry plans to publish the report by Monday.", "2025-04-02", "Monday", "2025-04-07"),
    ("Shoppers flocked to malls on Christmas Eve.", "2025-04-02", "Christmas Eve", "2024-12-24"),
    ("The bombing happened on Easter Sunday.", "2025-04-02", "Easter Sunday", "2024-03-31"),
    ("Fireworks lit up the sky on New Year's Day.", "2025-06-02", "New Year's Day", "2025-01-01"),
    ("The riot broke out on Halloween.", "2025-06-02", "Halloween", "2024-10-31"),
    ("Net income rose in Q2 2023.", "2025-06-02", "Q2 2023", "2023-Q2"),
    (
        "Deliveries slumped in the third quarter of last year.",
        "2025-06-02",
        "the third quarter of last year",
        "2024-Q3",
    ),
    ("The chain lost money in 2Q23.", "2025-06-02", "2Q23", "2023-Q2"),
    ("Revenue beat estimates in Q4'24.", "2025-06-02", "Q4'24", "2024-Q4"),
    ("The exhibition opens in February.", "2025-06-02", "February", "2026-02"),
    ("The band tours Europe in March.", "2025-06-02", "March", "2026-03"),
    ("The new season starts in January.", "2025-06-02", "January", "2026-01"),
    ("Crime fell sharply in the 1990s.", "2025-06-02", "the 1990s", "199"),
    ("The stadium was built in the 1920s.", "2025-06-02", "the 1920s", "192"),
    ("The rebels seized the town two weeks ago.", "2025-06-02", "two weeks ago", "2025-W21"),
    ("She took office four months ago.", "2025-06-02", "four months ago", "2025-02"),
    ("The company was sold seven years ago.", "2025-06-02", "seven years ago", "2018"),
    ("Police have made 40 arrests in the last week.", "2025-06-06", "the last week", "2025-W22"),
    ("Dozens of homes were destroyed in the last week.", "2025-06-06", "the last week", "2025-W22"),
    ("The talks resumed over the weekend.", "2025-06-02", "the weekend", "2025-W22-WE"),
    ("The drought ended last winter.", "2025-06-02", "last winter", "2024-WI"),
    (
        "The plant will close in the second half of 2026.",
        "2025-06-02",
        "the second half of 2026",
        "2026-H2",
    ),
    ("The treaty dates from the 17th century.", "2025-06-02", "the 17th century", "16"),
    ("The vote took place on Tuesday.", "2025-06-06", "Tuesday", "2025-06-03"),
    ("The ship docks on Sunday.", "2025-06-04", "Sunday", "2025-06-08"),
    # a fourth set, written last as a check (20 of 20 right when written)
    ("The referendum is set for October 5.", "2025-06-02", "October 5", "2025-10-05"),
    ("The museum is due to reopen in the spring.", "2025-11-13", "the spring", "2026-SP"),
    ("The ban takes effect on January 1.", "2025-11-13", "January 1", "2026-01-01"),
    ("The central bank meets again in December.", "2025-11-13", "December", "2025-12"),
    ("Tourist numbers collapsed during the winter.", "2025-06-02", "the winter", "2024-WI"),
    ("Prices rose 3% in the year to March.", "2025-06-02", "March", "2025-03"),
    (
        "The company will report results for the quarter on Thursday.",
        "2025-06-02",
        "Thursday",
        "2025-06-05",
    ),
    ("Officials met on Friday and again on Saturday.", "2025-06-04", "Saturday", "2025-05-31"),
    ("The ruling came late last month.", "2025-06-04", "late last month", "2025-05"),
    ("The firm was founded in the early 2000s.", "2025-06-04", "the early 2000s", "200"),
    ("Demand peaked in the late '90s.", "2025-06-04", "the late '90s", "199"),
    ("A heatwave hit the region last summer.", "2025-06-04", "last summer", "2024-SU"),
    ("He left the party a year ago.", "2025-06-04", "a year ago", "2024"),
    (
        "The airline hopes to resume flights by next Monday.",
        "2025-06-04",
        "next Monday",
        "2025-06-09",
    ),
    ("Sales in Q3 of last year were weak.", "2025-06-04", "Q3 of last year", "2024-Q3"),
    (
        "The sale closed in the fourth quarter of fiscal 2024.",
        "2025-06-04",
        "the fourth quarter of fiscal 2024",
        "2024-Q4",
    ),
    ("The strike ended on 2 March after three weeks.", "2025-06-04", "2 March", "2025-03-02"),
    ("Hundreds were evacuated on Boxing Day.", "2025-06-04", "Boxing Day", "2024-12-26"),
    (
        "The president will visit on Independence Day.",
        "2025-06-04",
        "Independence Day",
        "2025-07-04",
    ),
    ("Teams expect to complete the search by Wednesday.", "2025-06-05", "Wednesday", "2025-06-11"),
    # weekends and seasons counted back: from the last one that has ended
    ("The storm hit two weekends ago.", "2025-11-13", "two weekends ago", "2025-W44-WE"),
    ("The roof was repaired two summers ago.", "2025-09-01", "two summers ago", "2024-SU"),
    ("The roof was repaired two summers ago.", "2025-07-01", "two summers ago", "2023-SU"),
    ("The lake froze three winters ago.", "2025-11-13", "three winters ago", "2022-WI"),
    # present clauses: a date completing the clause is a coming one, not a comparison (9 of 15 on main)
    ("The deadline is March 31.", "2025-06-04", "March 31", "2026-03-31"),
    ("The next meeting is on April 2.", "2025-06-04", "April 2", "2026-04-02"),
    ("The contract runs until February.", "2025-06-04", "February", "2026-02"),
    ("The final hearing is in January.", "2025-06-04", "January", "2026-01"),
    ("Applications close on 15 April.", "2025-06-04", "15 April", "2026-04-15"),
    ("The offer is valid until March 1.", "2025-06-04", "March 1", "2026-03-01"),
    ("The airport is closed until May.", "2025-06-04", "May", "2026-05"),
    ("The sale ends on Sunday.", "2025-06-04", "Sunday", "2025-06-08"),
    ("The launch is scheduled for February.", "2025-06-04", "February", "2026-02"),
    ("The inquiry reports back in April.", "2025-06-04", "April", "2026-04"),
    ("The season opens in March.", "2025-06-04", "March", "2026-03"),
    ("The treaty comes into force in January.", "2025-06-04", "January", "2026-01"),
    ("Sales are up from April.", "2025-06-04", "April", "2025-04"),
    ("Prices are higher than in March.", "2025-06-04", "March", "2025-03"),
    ("Unemployment is at its lowest since February.", "2025-06-04", "February", "2025-02"),
    # a past day and month later in the year than publication, dating a past verb (5 of 10 on main)
    (
        "The company said on November 20 it would cut 500 jobs.",
        "2025-10-01",
        "November 20",
        "2024-11-20",
    ),
    (
        "The minister announced on December 2 that taxes would rise.",
        "2025-10-01",
        "December 2",
        "2024-12-02",
    ),
    ("Police said on Nov. 28 they would reopen the case.", "2025-10-01", "Nov. 28", "2024-11-28"),
    (
        "On December 12, the board voted to sell the unit.",
        "2025-10-01",
        "December 12",
        "2024-12-12",
    ),
    ("The bank raised rates on November 6.", "2025-10-01", "November 6", "2024-11-06"),
    (
        "The firm said it would pay the dividend on November 15.",
        "2025-10-01",
        "November 15",
        "2025-11-15",
    ),
    (
        "The talks, held on December 5, ended without a deal.",
        "2025-10-01",
        "December 5",
        "2024-12-05",
    ),
    (
        "Voters rejected the plan in a referendum on November 30.",
        "2025-10-01",
        "November 30",
        "2024-11-30",
    ),
    (
        "The government agreed on December 1 to extend the program until March.",
        "2025-10-01",
        "December 1",
        "2024-12-01",
    ),
    (
        "He told reporters on 18 December that he would not resign.",
        "2025-10-01",
        "18 December",
        "2024-12-18",
    ),
]


@pytest.mark.parametrize(("sentence", "published", "words", "value"), CASES)
def test_everyday_date(sentence: str, published: str, words: str, value: str) -> None:
    found = find_dates(sentence, date.fromisoformat(published))
    got = {sentence[m.start : m.end]: m.timex.value for m in found}
    assert got.get(words) == value, got


@pytest.mark.parametrize(
    ("sentence", "published", "value", "gran", "start", "end"),
    [
        (
            "Revenue rose 12 percent in the first quarter of 2009.",
            "2009-05-04",
            "2009-Q1",
            Granularity.QUARTER,
            "2009-01-01",
            "2009-03-31",
        ),
        (
            "Rain has fallen steadily over the past week.",
            "2025-11-14",
            "2025-W46",
            Granularity.WEEK,
            "2025-11-10",
            "2025-11-16",
        ),
        (
            "More than 200 cases were recorded in the last week.",
            "2025-11-14",
            "2025-W45",
            Granularity.WEEK,
            "2025-11-03",
            "2025-11-09",
        ),
        (
            "Orders picked up in H2 2024.",
            "2025-03-01",
            "2024-H2",
            Granularity.HALF,
            "2024-07-01",
            "2024-12-31",
        ),
    ],
)
def test_fine_value_and_interval_kept(
    sentence: str, published: str, value: str, gran: Granularity, start: str, end: str
) -> None:
    (m,) = find_dates(sentence, date.fromisoformat(published))
    assert (m.timex.value, m.timex.granularity, m.timex.start, m.timex.end) == (
        value,
        gran,
        date.fromisoformat(start),
        date.fromisoformat(end),
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The fall of the old regime was swift.",  # a fall, no season
        "The previously announced plan was dropped.",  # "previously": no TIMEX3 in TimeML practice
        "The year-ago results were restated.",  # no span "The year" cut at the hyphen
    ],
)
def test_not_dated(sentence: str) -> None:
    texts = [sentence[m.start : m.end] for m in find_dates(sentence, date(2025, 5, 12))]
    assert "fall" not in " ".join(texts).lower() and "previously" not in texts
    assert "The year" not in texts
