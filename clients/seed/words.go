package seed

// Word lists the catalog and the users are built from. Spanish nouns carry their article, which gives their
// gender for adjective agreement and the contractions "del"/"al".

// Genres are the catalog's genres; each fits the contract's pattern ^[a-z][a-z0-9-]{0,39}$.
var Genres = []string{"drama", "comedy", "action", "documentary", "sci-fi", "thriller", "romance", "animation",
	"horror", "crime", "fantasy", "family"}

// fictionGenres are the genres a movie or series may have as its main genre, with relative weights.
var fictionGenres = []weighted[string]{
	{"drama", 16}, {"comedy", 14}, {"action", 12}, {"sci-fi", 8}, {"thriller", 10}, {"romance", 8},
	{"animation", 6}, {"horror", 6}, {"crime", 9}, {"fantasy", 6}, {"family", 5},
}

// genreWords are nouns that flavour a title of the genre: English, and Spanish with its article.
var genreWords = map[string]struct{ en, es []string }{
	"drama": {
		[]string{"Silence", "Promise", "Harvest", "Inheritance", "Letter", "Bridge", "Winter", "Daughter", "Orchard", "Lighthouse"},
		[]string{"el silencio", "la promesa", "la cosecha", "la herencia", "la carta", "el puente", "el invierno", "la hija", "el huerto", "el faro"},
	},
	"comedy": {
		[]string{"Wedding", "Roommate", "Road Trip", "Reunion", "Holiday", "Neighbor", "Bakery", "Mix-Up", "Honeymoon", "Office Party"},
		[]string{"la boda", "el vecino", "el viaje", "la reunión", "la fiesta", "la panadería", "el enredo", "la luna de miel", "el cumpleaños", "la suegra"},
	},
	"action": {
		[]string{"Strike", "Pursuit", "Mission", "Convoy", "Vendetta", "Escape", "Siege", "Protocol", "Extraction", "Showdown"},
		[]string{"la misión", "la persecución", "el asalto", "la fuga", "el convoy", "la venganza", "el asedio", "el protocolo", "la aventura", "el rescate"},
	},
	"sci-fi": {
		[]string{"Signal", "Orbit", "Colony", "Android", "Horizon", "Eclipse", "Frontier", "Singularity", "Station", "Nebula"},
		[]string{"la señal", "la órbita", "la colonia", "el androide", "el horizonte", "el eclipse", "la frontera", "la estación", "la nebulosa", "el planeta"},
	},
	"thriller": {
		[]string{"Witness", "Alibi", "Stranger", "Deadline", "Cipher", "Conspiracy", "Shadow", "Trap", "Informant", "Blackout"},
		[]string{"el testigo", "la coartada", "el desconocido", "la conspiración", "la sombra", "la trampa", "el informante", "el apagón", "la clave", "el plazo"},
	},
	"romance": {
		[]string{"Summer", "Heart", "Serenade", "Kiss", "Postcard", "Dance", "Rendezvous", "Sunset", "Affair", "Valentine"},
		[]string{"el verano", "el corazón", "la serenata", "el beso", "la postal", "el baile", "la cita", "el atardecer", "la mirada", "la canción"},
	},
	"animation": {
		[]string{"Dragon", "Robot", "Fox", "Island", "Balloon", "Lantern", "Kingdom", "Cloud", "Toymaker", "Whale"},
		[]string{"el dragón", "el robot", "el zorro", "la isla", "el globo", "la linterna", "el reino", "la nube", "el juguetero", "la ballena"},
	},
	"horror": {
		[]string{"Curse", "Haunting", "Cellar", "Ritual", "Whisper", "Doll", "Asylum", "Nightmare", "Seance", "Crypt"},
		[]string{"la maldición", "el sótano", "el ritual", "el susurro", "la muñeca", "el manicomio", "la pesadilla", "la cripta", "el espíritu", "la casa"},
	},
	"crime": {
		[]string{"Heist", "Cartel", "Verdict", "Racket", "Syndicate", "Confession", "Ransom", "Undercover", "Fixer", "Smuggler"},
		[]string{"el golpe", "el cártel", "el veredicto", "la confesión", "el rescate", "el sindicato", "el contrabandista", "la banda", "el soplón", "la fiscal"},
	},
	"fantasy": {
		[]string{"Crown", "Sword", "Sorceress", "Prophecy", "Realm", "Amulet", "Oracle", "Throne", "Labyrinth", "Phoenix"},
		[]string{"la corona", "la espada", "la hechicera", "la profecía", "el reino", "el amuleto", "el oráculo", "el trono", "el laberinto", "el fénix"},
	},
	"family": {
		[]string{"Treasure", "Summer Camp", "Puppy", "Adventure", "Grandpa", "Treehouse", "Picnic", "Circus", "Snow Day", "Garden"},
		[]string{"el tesoro", "el campamento", "el cachorro", "la aventura", "el abuelo", "la cabaña", "el picnic", "el circo", "la nevada", "el jardín"},
	},
}

var (
	enAdjectives = []string{"Silent", "Hidden", "Broken", "Golden", "Endless", "Forgotten", "Crimson", "Distant", "Wild",
		"Secret", "Northern", "Lost", "Last", "Great"}
	// esAdjectives follow the noun: masculine, feminine.
	esAdjectives = [][2]string{{"silencioso", "silenciosa"}, {"oculto", "oculta"}, {"roto", "rota"},
		{"dorado", "dorada"}, {"eterno", "eterna"}, {"olvidado", "olvidada"}, {"lejano", "lejana"},
		{"salvaje", "salvaje"}, {"secreto", "secreta"}, {"perdido", "perdida"}, {"infinito", "infinita"}}
	// esPreAdjectives precede the noun: masculine, feminine.
	esPreAdjectives = [][2]string{{"gran", "gran"}, {"último", "última"}, {"nuevo", "nueva"}, {"viejo", "vieja"}}

	enCities = []string{"Chicago", "Lisbon", "Dublin", "Boston", "Marseille", "Cape Town", "Seattle", "Edinburgh",
		"New Orleans", "Vancouver", "Naples", "Glasgow"}
	esCities = []string{"Madrid", "Sevilla", "Buenos Aires", "Valparaíso", "Oaxaca", "Cartagena", "Bilbao",
		"Montevideo", "Granada", "Lima", "Valencia", "Bogotá"}
	enRegions = []string{"the North", "the Valley", "the Coast", "the Mountains", "the Islands", "the Desert",
		"the South", "the Highlands"}
	// esRegions carry their article; de() and a() contract it.
	esRegions = []string{"el norte", "el valle", "la costa", "las montañas", "la isla", "el desierto", "el sur",
		"la sierra"}

	// Documentaries.
	enDocPlaces   = []string{"the Andes", "Patagonia", "the Sahara", "the Arctic", "the Amazon", "the Himalayas", "the Pacific", "Iceland", "the Mediterranean", "Siberia"}
	esDocPlaces   = []string{"los Andes", "la Patagonia", "el Sahara", "el Ártico", "la Amazonía", "el Himalaya", "el Pacífico", "Islandia", "el Mediterráneo", "Siberia"}
	enDocAnimals  = []string{"Wolves", "Octopuses", "Honeybees", "Elephants", "Owls", "Whales", "Penguins", "Ants"}
	esDocAnimals  = []string{"los lobos", "los pulpos", "las abejas", "los elefantes", "los búhos", "las ballenas", "los pingüinos", "las hormigas"}
	enDocSubjects = []string{"Kitchen", "Orchestra", "Newsroom", "Stadium", "Vineyard", "Hospital", "Space Program", "Fashion House"}
	esDocSubjects = []string{"la cocina", "la orquesta", "la redacción", "el estadio", "el viñedo", "el hospital", "el programa espacial", "la casa de moda"}

	enProtagonists = []string{"A retired detective", "An estranged sister", "A young engineer", "A small-town teacher",
		"An ambitious chef", "A reluctant heir", "A team of scientists", "A street musician", "A single father",
		"A rookie journalist"}
	esProtagonists = []string{"Un detective retirado", "Una hermana distanciada", "Una joven ingeniera",
		"Un maestro de pueblo", "Una chef ambiciosa", "Un heredero a su pesar", "Un equipo de científicos",
		"Un músico callejero", "Un padre soltero", "Una periodista novata"}
)

// plots are what the protagonist does, per genre: English, Spanish.
var plots = map[string][2][]string{
	"drama": {
		{"must face the past when an old letter arrives", "tries to keep the family farm alive", "returns home after twenty years"},
		{"debe enfrentarse al pasado cuando llega una vieja carta", "intenta salvar la granja familiar", "vuelve a casa después de veinte años"},
	},
	"comedy": {
		{"has one weekend to organise the wedding of the year", "swaps lives with a total stranger", "inherits a bakery nobody wants"},
		{"tiene un fin de semana para organizar la boda del año", "intercambia su vida con un desconocido", "hereda una panadería que nadie quiere"},
	},
	"action": {
		{"leads a last mission behind enemy lines", "races against time to stop an attack", "escapes a prison no one has ever left"},
		{"dirige una última misión tras las líneas enemigas", "corre contra el reloj para detener un atentado", "escapa de una prisión de la que nadie ha salido"},
	},
	"sci-fi": {
		{"decodes a signal from the edge of the solar system", "wakes up on a colony ship light-years from Earth", "builds an android that starts asking questions"},
		{"descifra una señal llegada del límite del sistema solar", "despierta en una nave colonia a años luz de la Tierra", "construye un androide que empieza a hacer preguntas"},
	},
	"thriller": {
		{"becomes the only witness to a crime nobody believes happened", "uncovers a conspiracy reaching the top", "has 48 hours to prove their innocence"},
		{"presencia un crimen que nadie cree", "destapa una conspiración que llega hasta arriba", "tiene 48 horas para demostrar su inocencia"},
	},
	"romance": {
		{"falls in love during one unforgettable summer", "keeps meeting the same stranger at every wedding", "finds a box of letters that changes everything"},
		{"se enamora durante un verano inolvidable", "se cruza con el mismo desconocido en cada boda", "encuentra una caja de cartas que lo cambia todo"},
	},
	"animation": {
		{"sets off with a talking fox to find a lost kingdom", "befriends a small dragon afraid of flying", "builds a robot to save the town's toy shop"},
		{"parte con un zorro parlante en busca de un reino perdido", "entabla amistad con un pequeño dragón con miedo a volar", "construye un robot para salvar la juguetería del pueblo"},
	},
	"horror": {
		{"moves into a house that remembers its former owners", "hears whispers coming from the cellar", "breaks a ritual that should never have been broken"},
		{"se muda a una casa que recuerda a sus antiguos dueños", "oye susurros que salen del sótano", "rompe un ritual que nunca debió romperse"},
	},
	"crime": {
		{"plans the perfect heist with a crew of amateurs", "goes undercover inside a powerful cartel", "reopens a case everyone wanted closed"},
		{"planea el golpe perfecto con una banda de aficionados", "se infiltra en un cártel poderoso", "reabre un caso que todos querían cerrar"},
	},
	"fantasy": {
		{"is chosen by an ancient prophecy to claim the crown", "crosses a labyrinth between two worlds", "steals an amulet that awakens a sleeping realm"},
		{"recibe de una antigua profecía la misión de reclamar la corona", "cruza un laberinto entre dos mundos", "roba un amuleto que despierta un reino dormido"},
	},
	"family": {
		{"spends a summer camp full of surprises", "searches for a treasure hidden in grandpa's garden", "adopts a puppy that turns the house upside down"},
		{"pasa un campamento de verano lleno de sorpresas", "busca un tesoro escondido en el jardín del abuelo", "adopta un cachorro que pone la casa patas arriba"},
	},
}

var (
	enClosers = []string{"A story about second chances.", "Nothing will ever be the same.", "Based on true events.",
		"From the acclaimed director of award-winning festival hits.", "Secrets, loyalty and a hard choice."}
	esClosers = []string{"Una historia sobre segundas oportunidades.", "Nada volverá a ser igual.",
		"Basada en hechos reales.", "Del aclamado director de éxitos de festival.", "Secretos, lealtad y una decisión difícil."}
)

var (
	enFirstNames = []string{"Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Grace", "Henry",
		"Chloe", "Daniel", "Ruby", "Samuel", "Alice", "Thomas"}
	enLastNames = []string{"Smith", "Johnson", "Brown", "Taylor", "Walker", "Hughes", "Bennett", "Carter", "Murphy",
		"Collins", "Reed", "Foster", "Hayes", "Porter", "Sullivan", "Doyle"}
	esFirstNames = []string{"Lucía", "Mateo", "Sofía", "Martín", "Valentina", "Diego", "Camila", "Javier", "Carmen",
		"Pablo", "Elena", "Andrés", "Isabel", "Hugo", "Marta", "Tomás"}
	esLastNames = []string{"García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres",
		"Ruiz", "Ortega", "Castillo", "Vargas", "Morales", "Herrera", "Medina", "Rojas"}

	enCountries = []weighted[string]{{"US", 5}, {"GB", 3}, {"IE", 1}, {"CA", 2}, {"AU", 1}}
	esCountries = []weighted[string]{{"ES", 5}, {"MX", 4}, {"AR", 2}, {"CO", 2}, {"CL", 1}}
)

// reviews by stars (index 0 is one star): English, Spanish.
var reviews = [5][2][]string{
	{{"Could not finish it.", "A waste of an evening."}, {"No la pude terminar.", "Una tarde perdida."}},
	{{"Not for me.", "Great idea, poor execution."}, {"Esperaba más.", "Buena idea, mal ejecutada."}},
	{{"Decent, but a bit long.", "Fine for a rainy Sunday."}, {"Entretenida, sin más.", "Se deja ver un domingo de lluvia."}},
	{{"Really good, would watch again.", "Great cast."}, {"Muy buena, la volvería a ver.", "Gran reparto."}},
	{{"Absolutely loved it.", "A masterpiece."}, {"Me encantó.", "Una obra maestra."}},
}
