import { conflict, invalidArgument } from '../core/index.js';

/*
 * Container names: Docker's rule for names a client chooses, and a generator of
 * `adjective_surname` names for containers created without one. The word lists are moor's own.
 */

const NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VALID_NAME = new RegExp(`^${NAME_CHARS}+$`);

/**
 * Checks a client-chosen name (one leading `/` is allowed, as Docker stores names with it) and
 * returns it without that slash. Throws InvalidArgument with Docker's message, naming the input
 * as given.
 */
export function validateName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!VALID_NAME.test(bare)) {
    throw invalidArgument(`Invalid container name (${name}), only ${NAME_CHARS} are allowed`);
  }
  return bare;
}

// Cheerful or neutral words only: a name is something users read all day.
export const NAME_ADJECTIVES: readonly string[] = (
  'able agile amber ample ardent astute balmy blithe breezy bright brisk bubbly buoyant calm ' +
  'candid capable careful cheery chipper civic cosmic cozy crisp curious daring deft devoted ' +
  'diligent earnest fair fearless fluent fond frank fresh genial gentle glad gleaming golden ' +
  'graceful grand hale handy hearty honest humble jaunty jazzy lively loyal lucky mellow ' +
  'merry mighty mindful misty nimble noble patient placid plucky poised polite proud quick ' +
  'quiet radiant rapid ready robust rosy rugged sage savvy sincere sleek smooth snappy snug ' +
  'sober solid sonic spry steady sturdy sunny swift tidy tranquil trusty vivid warm wise witty ' +
  'zesty'
).split(' ');

// Scientists, mathematicians and engineers, one surname each (ASCII, lower case).
export const NAME_SURNAMES: readonly string[] = (
  'abel adleman agassiz aho aiken akasaki amano ampere anning arrhenius atanasoff avogadro ' +
  'backus baekeland bayes bengio bernoulli bessemer bethe birkhoff bjerknes boltzmann boole ' +
  'born bragg brunel bunsen cajal cantor carnot cauchy cavendish celsius chadwick charpentier ' +
  'cherenkov church clausius cocke compton conway copernicus coriolis coulomb crick dahl ' +
  'daimler dalton debye dedekind dennard descartes diesel dijkgraaf dirichlet dongarra doppler ' +
  'doudna dyson eckert ehrlich eiffel erdos esaki fahrenheit faggin farnsworth fibonacci ' +
  'fleming florey floyd fossey fourier fresnel gabor geiger gibbs goddard godel golgi ' +
  'goodenough hadley hahn halley hamming hardy hartree harvey heaviside higgs hilbert hinton ' +
  'hoare hollerith hooke hopcroft hubble humboldt hutton huygens iverson jacobi jacquard ' +
  'jenner josephson joule kahan kalman kao karp kelvin kendrew kernighan kilburn kirchhoff ' +
  'kleene kleinrock koch kolmogorov korolev lagrange lamarck lampson landau laplace lavoisier ' +
  'lecun legendre leibniz linnaeus lister littlewood lorentz lorenz lovelock lyapunov lyell ' +
  'mach maiman mandelbrot marconi markov mauchly mead metcalfe michelson millikan milner ' +
  'minkowski minsky mitchell mobius mohs morgan mullis nakamura naur nernst neyman nygaard ' +
  'nyquist oberth oersted ohm onnes oppenheimer otis pauli pauling pavlov pearl perutz planck ' +
  'poisson priestley rabin rayleigh revelle richter riemann rivest roebling rutherford sabin ' +
  'sakharov salk sanger schrodinger sherrington siemens sikorsky somerville stephenson ' +
  'stokes stroustrup tanenbaum tarjan tarski telford teller thacker townes tsiolkovsky tukey ' +
  'tupolev tyndall ulam ullman vesalius virchow volta wallace watt wegener weierstrass ' +
  'whittle whittingham wiener wilkes wilkins wirth yao yoshino yukawa zermelo zuse zworykin'
).split(' ');

/** Pairs Docker never hands out (Steve Wozniak is not boring); kept should the lists grow. */
const EXCLUDED = new Set(['boring_wozniak']);

/** Attempts before Docker gives up on generated names (the first without a digit). */
const DOCKER_ATTEMPTS = 6;
/** Attempts when the caller has no fallback name. */
const MAX_ATTEMPTS = 100;

function pick(list: readonly string[], random: () => number): string {
  const index = Math.min(list.length - 1, Math.floor(random() * list.length));
  return list[index] as string;
}

function randomName(random: () => number, withDigit: boolean): string {
  let name: string;
  do {
    name = `${pick(NAME_ADJECTIVES, random)}_${pick(NAME_SURNAMES, random)}`;
  } while (EXCLUDED.has(name));
  return withDigit ? name + String(Math.floor(random() * 10) % 10) : name;
}

/**
 * A free `adjective_surname` name, as Docker picks one: the first try has no suffix, the next
 * five append one random digit (`plucky_hopcroft7`). When all six are taken Docker uses the
 * container's short ID: pass it as `fallback`. Without one, suffixed names are drawn up to 100
 * times, then Conflict is thrown. `isTaken` sees names without the leading slash.
 */
export function generateName(
  isTaken: (name: string) => boolean,
  random: () => number = Math.random,
  fallback?: string,
): string {
  const attempts = fallback === undefined ? MAX_ATTEMPTS : DOCKER_ATTEMPTS;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const name = randomName(random, attempt > 0);
    if (!isTaken(name)) return name;
  }
  if (fallback !== undefined) return fallback;
  throw conflict('could not find a free name for the container');
}
