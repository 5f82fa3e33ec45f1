"""English post templates. Slots: {employer} {job} {city} {old_city} {car} {item} {place} {kid}."""

from __future__ import annotations

EVENTS: dict[str, list[str]] = {
    "new_job": [
        "First day at {employer} today, so excited!",
        "Thrilled to share that I'm joining {employer} as {job}",
        "Signed the contract with {employer} today!!",
        "After 6 months of applications I finally got a job. {job} at {employer}",
        "Starting Monday at {employer}, wish me luck",
        "New job, new team, new challenges. Thanks {employer} for the opportunity",
        "Passed my probation at {employer}, here to stay 💪",
    ],
    "promotion": [
        "Promoted to {job} at {employer}. Proud of the journey",
        "Big news: I'm stepping up as team lead next month",
        "Got the raise AND the promotion 😁",
        "Humbled to be named {job}. Thank you team {employer}!",
        "Finally recognised: promotion confirmed!",
    ],
    "job_loss": [
        "Got laid off this morning. 12 years and they let me go in 10 minutes.",
        "Redundancies at {employer} and I'm one of them...",
        "Contract ended, back on the job hunt",
        "Looking for work as {job} in {city} area, please share",
        "{employer} is closing the site, we're all out",
        "They didn't renew my contract. If anyone hears of anything...",
    ],
    "business_opened": [
        "Opening my shop in {city} this Saturday! Come say hi",
        "My small business is officially registered, first client signed",
        "Grand opening of my salon this weekend 💇",
        "Going self-employed! Website is live",
        "Our food truck launches next week in {city}",
    ],
    "business_closed": [
        "After 5 years I've decided to close the shop. Thank you loyal customers",
        "The company went into liquidation. End of a chapter",
        "The restaurant closes for good on Sunday",
        "Shutting down my business, the numbers just didn't work",
        "We had to close the business... we tried everything",
    ],
    "vehicle_purchase": [
        "New car day! Brand new {car} 🚗",
        "Finally picked up my {car} from the dealership",
        "Goodbye old Corsa, hello {car}",
        "Treated myself to a new motorbike 🏍️",
        "Got the family a {car}, so happy",
    ],
    "property_purchase": [
        "We got the keys!! Homeowners 🏡",
        "Completed on our house in {city} today",
        "First flat bought, 25-year mortgage but it's ours",
        "Offer accepted on the house, moving in September",
        "Closed on our first home today",
    ],
    "luxury_purchase": [
        "Treated myself to {item}, I earned it",
        "New {item} on the wrist ⌚",
        "Little splurge: {item} 😍",
        "Birthday present to myself: {item}",
    ],
    "travel": [
        "Off to {place} for two weeks ✈️",
        "Greetings from {place}! 32 degrees",
        "Holidays in {place}, loving every minute",
        "Last day in {place}, don't want to go home",
        "Weekend getaway to {place}",
    ],
    "moved": [
        "Move done! New life in {city}",
        "Leaving {old_city} for {city}, so many emotions",
        "First night in our new place in {city}",
        "Goodbye {old_city}, hello {city}!",
        "Settled in {city} for a week now, exploring the neighbourhood",
    ],
    "relationship_end": [
        "We have decided to separate. Please respect our privacy.",
        "Divorce finalised. Fresh start",
        "Single again... feels weird after 10 years",
        "It's over between us. No comments please",
    ],
    "new_child": [
        "Welcome to the world {kid}, born this morning, 7lb 4oz 👶",
        "Our little {kid} is here, mum and baby doing well",
        "Dad for the second time! Welcome {kid}",
        "{kid} arrived last night ❤️",
    ],
    "bereavement": [
        "My dad passed away last night. Rest in peace dad.",
        "Said goodbye to grandma today",
        "Lost my mum. I have no words.",
        "RIP uncle, you'll be missed",
        "My brother's funeral is on Thursday. Thank you for the messages",
    ],
    "illness_or_disability": [
        "In hospital since Monday, surgery tomorrow",
        "Sick leave extended another three months...",
        "Got the diagnosis today, the fight starts now",
        "In a wheelchair for a while after the accident",
        "Finally approved for disability benefits",
    ],
    "financial_hardship": [
        "Tough end of month, nothing left by the 10th",
        "Selling my furniture to make rent, everything must go",
        "Overdrawn, bills bouncing... I can't take it anymore",
        "If anyone could lend me 200 till the 5th, I'll pay it back promise",
        "No heating this winter, we can't afford it",
        "Started a GoFundMe to help with my bills, please share",
        "Had to use the food bank this week",
    ],
}

NEGATED: dict[str, list[str]] = {
    "job_loss": [
        "No I did not lose my job, stop the rumours",
        "Despite what people say I wasn't fired, still at {employer}",
    ],
    "new_job": ["Still no new job, recruiters never answer"],
    "moved": ["We're not moving after all, staying in {city}"],
    "vehicle_purchase": ["No I didn't buy a {car}, it's my brother-in-law's"],
    "relationship_end": ["We are NOT splitting up, all good thanks for asking"],
    "property_purchase": ["Didn't get the mortgage, no house for us this year"],
    "travel": ["No holiday this year, staycation it is"],
    "promotion": ["Passed over for promotion again, of course"],
}

IRONIC: dict[str, list[str]] = {
    "job_loss": ["Great news, I'm on permanent holiday now: laid off 🙃"],
    "financial_hardship": ["Living the dream on beans on toast till payday 🙃"],
    "illness_or_disability": ["Hospital food is the best, 10/10 would not recommend"],
}

IRONIC_NONE = [
    "Just bought a Lambo... in my dreams 😂",
    "Promoted to head of dishwashing at home, what a career",
    "Moving to Bali... or not, back at my desk on Monday",
    "Millionaire tomorrow, bought a lottery ticket 🤡",
]

CHATTER = [
    "What a day... roll on the weekend",
    "That match last night, unreal!",
    "Anyone up for drinks in {city} tonight?",
    "Traffic on the ring road again this morning",
    "Happy birthday to my favourite sister ❤️",
    "Anyone know a good mechanic near {city}?",
    "Nothing beats a coffee in the sun",
    "Highly recommend this film",
    "So proud of my daughter, passed her exams!",
    "Sunday roast with the family",
    "Raining again. Of course.",
    "Thanks for all the birthday wishes ♥",
    "Parkrun done, new PB",
    "Meeting that could have been an email",
    "BBQ at the neighbours",
    "Spring is finally here 🌸",
    "Amazing gig last night",
    "Monday mornings should be illegal",
]

OPENERS = ["", "", "", "So, ", "Quick update: ", "Finally! ", "Well, "]
CLOSERS = ["", "", "", " Thanks everyone!", " x", " 🙏", "..."]
FILLERS = {
    "car": ["Ford Focus", "Tesla Model 3", "VW Golf", "Toyota RAV4", "Honda Civic", "Jeep"],
    "item": ["a Rolex", "a Louis Vuitton bag", "the new iPhone", "an Omega watch"],
    "place": ["Tenerife", "Cancun", "New York", "Bali", "Florida", "Paris", "Lisbon"],
    "kid": ["Olivia", "Noah", "Amelia", "Jack", "Isla", "Oliver", "Ava", "Leo"],
}
