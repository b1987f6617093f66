// Test target for semgrep-rules/parameterized_queries/typescript.yml (parsed only, never run).
import { Injectable } from '@nestjs/common';

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async byEmail(email: string): Promise<User[]> {
    // ruleid: vibeward.typescript.parameterized_queries.prisma-typed-raw-template
    return this.prisma.$queryRaw<User[]>`SELECT * FROM "User" WHERE email = ${email}`;
  }

  async untyped(email: string) {
    // ok: vibeward.typescript.parameterized_queries.prisma-typed-raw-template
    return this.prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`;
  }
}
