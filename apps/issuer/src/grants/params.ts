import { InvalidRequest } from '../errors.ts'

/**
 * Token request parameters as the form body gave them. RFC 6749 §3.1: a parameter sent without a value
 * counts as omitted, and none may be sent twice (RFC 8707's `resource` is the one that may repeat).
 */
export class Params {
  readonly #values: Record<string, string | string[] | undefined>

  constructor(values: Record<string, string | string[] | undefined>) {
    this.#values = values
  }

  one(name: string): string | undefined {
    const value = this.#values[name]
    if (Array.isArray(value)) {
      const present = value.filter((v) => v !== '')
      if (present.length > 1) throw new InvalidRequest(`parameter ${name} is repeated`)
      return present[0]
    }
    return value === '' ? undefined : value
  }

  required(name: string): string {
    const value = this.one(name)
    if (value === undefined) throw new InvalidRequest(`missing parameter ${name}`)
    return value
  }

  many(name: string): string[] {
    const value = this.#values[name]
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value]
    return values.filter((v) => v !== '')
  }
}
